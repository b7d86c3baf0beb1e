from django.urls import path

from households import document_views, views
from households.imports import views as import_views

app_name = "households"

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="list"),
    path("ekspor/", views.household_export, name="export"),
    path("rumah-tangga/baru/", views.HouseholdCreateView.as_view(), name="create"),
    path("rumah-tangga/anggota-baru/", views.member_form_row, name="member-row"),
    path("rumah-tangga/<int:pk>/", views.HouseholdDetailView.as_view(), name="detail"),
    path("rumah-tangga/<int:pk>/ubah/", views.HouseholdUpdateView.as_view(), name="update"),
    path("rumah-tangga/<int:pk>/riwayat/", views.HouseholdHistoryView.as_view(), name="history"),
    path("rumah-tangga/<int:pk>/arsip/", views.HouseholdArchiveView.as_view(), name="archive"),
    path("anggota/<int:person_pk>/migrasi/baru/", views.EpisodeCreateView.as_view(), name="episode-create"),
    path("migrasi/<int:pk>/ubah/", views.EpisodeUpdateView.as_view(), name="episode-update"),
    path("migrasi/<int:pk>/berangkat/", views.episode_depart_view, name="episode-depart"),
    path("migrasi/<int:pk>/kembali/", views.episode_return_view, name="episode-return"),
    path("anggota/<int:pk>/dokumen/", document_views.document_add, {"owner": "person"}, name="person-document-add"),
    path("migrasi/<int:pk>/dokumen/", document_views.document_add, {"owner": "episode"}, name="episode-document-add"),
    path("layanan/<int:pk>/dokumen/", document_views.document_add, {"owner": "case"}, name="case-document-add"),
    path("dokumen/<int:pk>/", document_views.document_view, name="document"),
    path("dokumen/<int:pk>/hapus/", document_views.document_delete, name="document-delete"),
    path("layanan/", views.ServiceRequestListView.as_view(), name="request-list"),
    path("layanan/baru/", views.ServiceRequestCreateView.as_view(), name="request-create"),
    path("layanan/<int:pk>/", views.ServiceRequestDetailView.as_view(), name="request-detail"),
    path("layanan/<int:pk>/ubah/", views.ServiceRequestUpdateView.as_view(), name="request-update"),
    path("layanan/<int:pk>/tindak-lanjut/", views.case_follow_up_add, name="request-follow-up"),
    path("layanan/<int:pk>/tanda-terima/", views.ServiceRequestReceiptView.as_view(), name="request-receipt"),
    path("layanan/<int:pk>/surat-rujukan/", views.ServiceRequestReferralView.as_view(), name="request-referral"),
    path("peringatan/", views.AlertsView.as_view(), name="alerts"),
    path("hari-ini/", views.TodayView.as_view(), name="today"),
    path("impor/", import_views.ImportHomeView.as_view(), name="import"),
    path("impor/templat.<str:kind>", import_views.import_template, name="import-template"),
    path("impor/<int:pk>/", import_views.ImportDetailView.as_view(), name="import-detail"),
    path("impor/<int:pk>/simpan/", import_views.import_confirm, name="import-confirm"),
    path("impor/<int:pk>/periksa-ulang/", import_views.import_recheck, name="import-recheck"),
    path("impor/<int:pk>/setujui/", import_views.import_approve, name="import-approve"),
    path("impor/persetujuan/", import_views.ImportApprovalsView.as_view(), name="import-approvals"),
    path("impor/<int:pk>/batalkan/", import_views.import_rollback, name="import-rollback"),
    path("impor/<int:pk>/kesalahan.<str:kind>", import_views.import_error_file, name="import-errors"),
]

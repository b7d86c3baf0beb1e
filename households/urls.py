from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="list"),
    path("ekspor/", views.household_export, name="export"),
    path("rumah-tangga/baru/", views.HouseholdCreateView.as_view(), name="create"),
    path("rumah-tangga/anggota-baru/", views.member_form_row, name="member-row"),
    path("rumah-tangga/<int:pk>/", views.HouseholdDetailView.as_view(), name="detail"),
    path("rumah-tangga/<int:pk>/ubah/", views.HouseholdUpdateView.as_view(), name="update"),
    path("layanan/<int:pk>/", views.ServiceRequestDetailView.as_view(), name="request-detail"),
]

from django.urls import path

from placements import views

app_name = "placements"

urlpatterns = [
    path("", views.PlacementIndexView.as_view(), name="index"),
    path("<int:pk>/", views.PlacementDetailView.as_view(), name="detail"),
    path("<int:pk>/terapkan/", views.placement_apply_view, name="apply"),
    path("<int:pk>/batalkan/", views.placement_revert_view, name="revert"),
    path("<int:pk>/buang/", views.placement_discard_view, name="discard"),
    path("baris/<int:pk>/putuskan/", views.placement_decide_view, name="decide"),
    path("tindak-lanjut/<int:pk>/selesai/", views.placement_gap_check_view, name="gap-check"),
]

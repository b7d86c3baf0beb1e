from django.urls import path

from cooperatives import views

app_name = "cooperatives"

urlpatterns = [
    path("", views.CooperativeListView.as_view(), name="index"),
    path("baru/", views.CooperativeCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CooperativeDetailView.as_view(), name="detail"),
    path("<int:pk>/ubah/", views.CooperativeUpdateView.as_view(), name="update"),
    path("<int:pk>/anggota/", views.MembershipCreateView.as_view(), name="member-create"),
    path("fasilitas/", views.FacilityListView.as_view(), name="facility-list"),
    path("fasilitas/baru/", views.FacilityCreateView.as_view(), name="facility-create"),
    path("fasilitas/<int:pk>/ubah/", views.FacilityUpdateView.as_view(), name="facility-update"),
]

from django.urls import path

from enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="index"),
    path("baru/<int:household_pk>/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/ubah/", views.EnterpriseUpdateView.as_view(), name="update"),
    path("<int:pk>/pendampingan/", views.MentoringVisitCreateView.as_view(), name="visit-create"),
    path("<int:pk>/bantuan/", views.EquipmentAidCreateView.as_view(), name="aid-create"),
    path("pelatihan/", views.TrainingListView.as_view(), name="training-list"),
    path("pelatihan/baru/", views.TrainingCreateView.as_view(), name="training-create"),
    path("pelatihan/<int:pk>/", views.TrainingDetailView.as_view(), name="training-detail"),
    path("pelatihan/<int:pk>/ubah/", views.TrainingUpdateView.as_view(), name="training-update"),
    path("pelatihan/<int:pk>/peserta/", views.training_attendance_view, name="training-attendance"),
]

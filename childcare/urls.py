from django.urls import path

from childcare import views

app_name = "childcare"

urlpatterns = [
    path("", views.LearningHouseListView.as_view(), name="index"),
    path("rumah-belajar/baru/", views.LearningHouseCreateView.as_view(), name="house-create"),
    path("rumah-belajar/<int:pk>/", views.LearningHouseDetailView.as_view(), name="house-detail"),
    path("rumah-belajar/<int:pk>/ubah/", views.LearningHouseUpdateView.as_view(), name="house-update"),
    path("rumah-belajar/<int:pk>/sesi/", views.SessionCreateView.as_view(), name="session-create"),
    path("anak/baru/<int:person_pk>/", views.ChildCreateView.as_view(), name="child-create"),
    path("anak/<int:pk>/", views.ChildDetailView.as_view(), name="child-detail"),
    path("anak/<int:pk>/ubah/", views.ChildUpdateView.as_view(), name="child-update"),
]

from django.urls import path

from households import views

app_name = "households"

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="list"),
    path("ekspor/", views.household_export, name="export"),
    path("rumah-tangga/<int:pk>/", views.HouseholdDetailView.as_view(), name="detail"),
    path("layanan/<int:pk>/", views.ServiceRequestDetailView.as_view(), name="request-detail"),
]

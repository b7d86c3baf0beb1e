from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("indonesia/", views.DashboardView.as_view(), name="national"),
    path("indonesia/<slug:panel>.csv", views.panel_csv, name="national-csv"),
    path("<region:code>/", views.DashboardView.as_view(), name="area"),
    path("<region:code>/<slug:panel>.csv", views.panel_csv, name="area-csv"),
]

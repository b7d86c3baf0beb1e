from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("indonesia/", views.DashboardView.as_view(), name="national"),
    path("indonesia/areas.csv", views.child_areas_csv, name="national-areas-csv"),
    path("indonesia/laporan/<int:year>/", views.ReportView.as_view(), name="national-report"),
    path("indonesia/laporan/<int:year>.<str:fmt>", views.report_download, name="national-report-download"),
    path("indonesia/<slug:panel>.csv", views.panel_csv, name="national-csv"),
    path("<region:code>/", views.DashboardView.as_view(), name="area"),
    path("<region:code>/areas.csv", views.child_areas_csv, name="area-areas-csv"),
    path("<region:code>/laporan/<int:year>/", views.ReportView.as_view(), name="area-report"),
    path("<region:code>/laporan/<int:year>.<str:fmt>", views.report_download, name="area-report-download"),
    path("<region:code>/<slug:panel>.csv", views.panel_csv, name="area-csv"),
]

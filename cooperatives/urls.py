from django.urls import path

from desmigratif.views import PillarIndexView

app_name = "cooperatives"

urlpatterns = [
    path("", PillarIndexView.as_view(template_name="cooperatives/index.html"), name="index"),
]

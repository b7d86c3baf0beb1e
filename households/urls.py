from django.urls import path

from desmigratif.views import PillarIndexView

app_name = "households"

urlpatterns = [
    path("", PillarIndexView.as_view(template_name="households/index.html"), name="index"),
]

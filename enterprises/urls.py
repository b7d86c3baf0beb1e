from django.urls import path

from desmigratif.views import PillarIndexView

app_name = "enterprises"

urlpatterns = [
    path("", PillarIndexView.as_view(template_name="enterprises/index.html"), name="index"),
]

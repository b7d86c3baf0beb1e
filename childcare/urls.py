from django.urls import path

from desmigratif.views import PillarIndexView

app_name = "childcare"

urlpatterns = [
    path("", PillarIndexView.as_view(template_name="childcare/index.html"), name="index"),
]

from django.urls import path
from django.utils.translation import gettext_lazy as _

from desmigratif.views import PillarIndexView

app_name = "cooperatives"

urlpatterns = [
    path(
        "",
        PillarIndexView.as_view(
            extra_context={
                "title": _("Cooperatives"),
                "subtitle": _("Pillar 4 · Cooperatives and BUMDes"),
                "description": _(
                    "Cooperatives, village-owned enterprises (BUMDes), pre-cooperatives and production houses that "
                    "carry the village businesses for the long term."
                ),
            }
        ),
        name="index",
    ),
]

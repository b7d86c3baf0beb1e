from django.urls import path
from django.utils.translation import gettext_lazy as _

from desmigratif.views import PillarIndexView

app_name = "enterprises"

urlpatterns = [
    path(
        "",
        PillarIndexView.as_view(
            extra_context={
                "title": _("Productive enterprise"),
                "subtitle": _("Pillar 2 · Productive enterprise (Usaha Produktif)"),
                "description": _(
                    "Families of migrant workers, usually the spouse at home, are trained to run businesses, with "
                    "mentoring, equipment aid, marketing, mobile training units and entrepreneurship training."
                ),
            }
        ),
        name="index",
    ),
]

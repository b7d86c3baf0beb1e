from django.urls import path
from django.utils.translation import gettext_lazy as _

from desmigratif.views import PillarIndexView

app_name = "childcare"

urlpatterns = [
    path(
        "",
        PillarIndexView.as_view(
            extra_context={
                "title": _("Community parenting"),
                "subtitle": _("Pillar 3 · Community parenting (Rumah Belajar)"),
                "description": _(
                    "Learning houses for migrant workers' children — reading, writing, arithmetic, arts, sports, "
                    "internet literacy, religion and counselling — and parenting training for their caregivers."
                ),
            }
        ),
        name="index",
    ),
]

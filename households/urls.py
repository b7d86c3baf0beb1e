from django.urls import path
from django.utils.translation import gettext_lazy as _

from desmigratif.views import PillarIndexView
from households import views

app_name = "households"

urlpatterns = [
    path(
        "",
        PillarIndexView.as_view(
            extra_context={
                "title": _("Migration services"),
                "subtitle": _("Pillar 1 · Migration service post (Pusat Layanan Migrasi)"),
                "description": _(
                    "The post registers migrant-worker households and their members, follows each worker from "
                    "preparation to departure to return, gives safe-migration information, handles trafficking red "
                    "flags, takes calls from families about workers abroad and arranges mediation and document help."
                ),
            }
        ),
        name="index",
    ),
    path("rumah-tangga/<int:pk>/", views.HouseholdDetailView.as_view(), name="detail"),
    path("layanan/<int:pk>/", views.ServiceRequestDetailView.as_view(), name="request-detail"),
]

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("households", views.HouseholdViewSet, basename="household")
router.register("persons", views.PersonViewSet, basename="person")
router.register("stays", views.EpisodeViewSet, basename="stay")
router.register("cases", views.CaseViewSet, basename="case")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("trainings", views.TrainingViewSet, basename="training")
router.register("learning-houses", views.LearningHouseViewSet, basename="learning-house")
router.register("children", views.ChildViewSet, basename="child")
router.register("cooperatives", views.CooperativeViewSet, basename="cooperative")
router.register("facilities", views.FacilityViewSet, basename="facility")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/regions/", views.RegionList.as_view(), name="region-list"),
    path("v1/figures/", views.FiguresView.as_view(), name="figures"),
    path("v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, and our template
    # its page style: the CSP allows no inline script or style. Its assets come from
    # drf-spectacular-sidecar, served as static files.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]

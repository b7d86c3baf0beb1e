from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from api import token_views
from desmigratif import accounts, views


class RegionCodeConverter:
    regex = r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegionCodeConverter, "region")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("masuk/", accounts.PortalLoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/kata-sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("akun/dua-faktor/", accounts.two_factor_verify, name="two-factor-verify"),
    path("akun/dua-faktor/aktifkan/", accounts.two_factor_setup, name="two-factor-setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("wilayah/", views.RegionView.as_view(), name="region-index"),
    path("wilayah/cari/", views.region_search, name="region-search"),
    path("wilayah/pilih/", views.region_picker, name="region-picker"),
    path("wilayah/<region:code>/", views.RegionView.as_view(), name="region-detail"),
    path("layanan-migrasi/", include("households.urls")),
    path("usaha-produktif/", include("enterprises.urls")),
    path("community-parenting/", include("childcare.urls")),
    path("koperasi/", include("cooperatives.urls")),
    path("dasbor/", include("dashboards.urls")),
    path("daftar-penempatan/", include("placements.urls")),
    path("api/", include("api.urls")),
    path("akun/token-api/", token_views.TokenListView.as_view(), name="api-tokens"),
    path("akun/token-api/<int:pk>/cabut/", token_views.token_revoke_view, name="api-token-revoke"),
    path("healthz", views.health, name="health"),
    path("kotak-keluar/", views.OutboxView.as_view(), name="outbox"),
    path("sw.js", views.service_worker, name="service-worker"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin).
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
]

handler500 = "desmigratif.views.server_error"

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from desa_jaminan import health

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("enrollment.urls")),
    path("", include("portal.urls")),
    path("", include("villages.urls")),
    path("", include("villages.urls_import")),
    path("", include("submissions.urls")),
    path("", include("bpjs.urls")),
    path("", include("budgets.urls")),
    path("", include("changes.urls")),
    path("api/v1/", include("desa_jaminan.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

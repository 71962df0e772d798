from django.urls import include, path

from enrollment import api as enrollment_api
from villages import api as villages_api

urlpatterns = [
    path("coverage/", enrollment_api.CoverageView.as_view(), name="api-coverage"),
    path("regencies/", villages_api.RegencyListView.as_view(), name="api-regencies"),
    path("villages/", villages_api.VillageListView.as_view(), name="api-villages"),
    path("officials/", villages_api.OfficialListView.as_view(), name="api-officials"),
    path("", include("villages.api_roster")),
    path("", include("villages.api_import")),
    path("", include("enrollment.api_submissions")),
    path("", include("enrollment.api_review")),
    path("", include("budgets.api")),
]

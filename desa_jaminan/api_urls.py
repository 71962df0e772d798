from django.urls import include, path

from core import api as core_api
from portal import api as portal_api
from villages import api as villages_api

urlpatterns = [
    path("coverage/", portal_api.CoverageView.as_view(), name="api-coverage"),
    path("search/", portal_api.SearchView.as_view(), name="api-search"),
    path("regencies/", core_api.RegencyListView.as_view(), name="api-regencies"),
    path("villages/", core_api.VillageListView.as_view(), name="api-villages"),
    path("officials/", villages_api.OfficialListView.as_view(), name="api-officials"),
    path("", include("villages.api_roster")),
    path("", include("villages.api_import")),
    path("", include("submissions.api")),
    path("", include("bpjs.api")),
    path("", include("budgets.api")),
    path("", include("changes.api")),
    path("", include("accounts.api")),
    path("", include("accounts.api_notifications")),
]

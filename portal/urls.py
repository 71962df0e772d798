"""The village page, the page of one official and the search for officials (included at the site root)."""

from django.urls import path

from portal import views

urlpatterns = [
    path("desa/<str:code>/", views.village_detail, name="village-detail"),
    path("perangkat/<int:pk>/", views.official_detail, name="official-detail"),
    path("cari/", views.search, name="search"),
]

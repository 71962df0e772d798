from django.urls import path

from . import views

urlpatterns = [
    path("desa/<str:code>/", views.village_detail, name="village-detail"),
    path("perangkat/<int:pk>/", views.official_detail, name="official-detail"),
]

from django.urls import path

from villages import views

urlpatterns = [
    path("desa/<str:code>/perangkat/tambah/", views.official_add, name="official-add"),
    path("jabatan/<int:pk>/ubah/", views.post_edit, name="post-edit"),
    path("jabatan/<int:pk>/akhiri/", views.post_end_view, name="post-end"),
    path("wilayah/<str:code>/konflik-nik/", views.nik_conflicts, name="nik-conflicts"),
    path("konflik-nik/<int:pk>/selesai/", views.nik_conflict_resolve_view, name="nik-conflict-resolve"),
]

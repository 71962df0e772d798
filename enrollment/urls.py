from django.urls import path

from enrollment import views, views_exports

urlpatterns = [
    path("wilayah/", views.regency_list, name="regency-list"),
    path("ekspor/perangkat/", views_exports.officials_export_start, name="officials-export-start"),
    path("ekspor/<str:token>/", views_exports.export_job_detail, name="export-job"),
    path("ekspor/<str:token>/perangkat.xlsx", views_exports.export_job_download, name="export-job-download"),
    path("wilayah/<str:code>/", views.regency_dashboard, name="regency-dashboard"),
    path("wilayah/<str:code>/desa/", views.village_list, name="regency-villages"),
    path("wilayah/<str:code>/perangkat/", views.official_list, name="regency-officials"),
    path("wilayah/<str:code>/tindak-lanjut/", views.followup, name="regency-followup"),
    path("wilayah/<str:code>/target/", views.coverage_target, name="coverage-target"),
    path("kecamatan/<str:code>/", views.subdistrict_detail, name="subdistrict-detail"),
    # officials to Excel
    path("desa/<str:code>/perangkat.xlsx", views_exports.village_officials_xlsx, name="village-officials-xlsx"),
    path(
        "kecamatan/<str:code>/perangkat.xlsx",
        views_exports.subdistrict_officials_xlsx,
        name="subdistrict-officials-xlsx",
    ),
    path("wilayah/<str:code>/perangkat.xlsx", views_exports.regency_officials_xlsx, name="regency-officials-xlsx"),
]

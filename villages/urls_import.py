from django.urls import path

from villages import views_import, views_import_nik

urlpatterns = [
    path("desa/<str:code>/template.xlsx", views_import.village_import_template, name="village-import-template"),
    path("desa/<str:code>/impor/", views_import.village_import, name="village-import"),
    path("wilayah/<str:code>/template.xlsx", views_import.regency_import_template, name="regency-import-template"),
    path("wilayah/<str:code>/impor/", views_import.regency_import, name="regency-import"),
    path("impor/berkas/<str:token>/", views_import.import_file, name="import-file"),
    path("impor/<str:token>/", views_import.import_detail, name="import-detail"),
    path("impor/<str:token>/status/", views_import.import_status, name="import-status"),
    path("impor/<str:token>/konfirmasi/", views_import.import_confirm, name="import-confirm"),
    path("impor/<str:token>/batal/", views_import.import_discard, name="import-discard"),
    path("impor/<str:token>/coba-lagi/", views_import.import_retry, name="import-retry"),
    path("impor/<str:token>/nik/", views_import_nik.import_niks, name="import-niks"),
]

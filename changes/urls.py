"""Pages of data-change requests (included at the site root)."""

from django.urls import path

from changes import views

urlpatterns = [
    path("perubahan-data/", views.data_change_list, name="data-change-list"),
    path("jabatan/<int:pk>/perubahan-data/", views.data_change_new, name="data-change-new"),
    path("perubahan-data/<int:pk>/", views.data_change_detail, name="data-change-detail"),
    path("perubahan-data/<int:pk>/periksa/", views.data_change_check_view, name="data-change-check"),
    path("perubahan-data/<int:pk>/konfirmasi/", views.data_change_confirm_view, name="data-change-confirm"),
    path("perubahan-data/<int:pk>/tarik/", views.data_change_withdraw_view, name="data-change-withdraw"),
    path("perubahan-data/<int:pk>/ktp/", views.data_change_ktp, name="data-change-ktp"),
]

"""Budget pages (included at the site root)."""

from django.urls import path

from budgets import views

urlpatterns = [
    # a regency's budget, its payments, allocations and the ADD of its desa
    path("wilayah/<str:code>/anggaran/", views.regency_budget, name="regency-budget"),
    path("wilayah/<str:code>/anggaran/pagu/tambah/", views.regency_allocation_new, name="regency-allocation-new"),
    path("wilayah/<str:code>/anggaran/pembayaran/", views.regency_payments, name="regency-payments"),
    path(
        "wilayah/<str:code>/anggaran/pembayaran/impor/",
        views.regency_payments_import,
        name="regency-payments-import",
    ),
    path("wilayah/<str:code>/anggaran/add/", views.village_funds, name="village-funds"),
    path("wilayah/<str:code>/anggaran/add/impor/", views.village_funds_import, name="village-funds-import"),
    # a desa's budget
    path("desa/<str:code>/anggaran/", views.village_budget, name="village-budget"),
    path("desa/<str:code>/anggaran/pagu/tambah/", views.village_allocation_new, name="village-allocation-new"),
    path("desa/<str:code>/anggaran/pembayaran/", views.village_payments, name="village-payments"),
    path("desa/<str:code>/anggaran/pembayaran/impor/", views.village_payments_import, name="village-payments-import"),
    # one allocation or payment
    path("pagu/<int:pk>/ubah/", views.allocation_edit, name="allocation-edit"),
    path("pagu/<int:pk>/hapus/", views.allocation_delete, name="allocation-delete"),
    path("pembayaran/<int:pk>/hapus/", views.payment_delete, name="payment-delete"),
    # scenarios
    path("wilayah/<str:code>/skenario/", views.scenario_list, name="scenario-list"),
    path("wilayah/<str:code>/skenario/baru/", views.scenario_new, name="scenario-new"),
    path("wilayah/<str:code>/skenario/banding/", views.scenario_compare, name="scenario-compare"),
    path("skenario/<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("skenario/<int:pk>.xlsx", views.scenario_export, name="scenario-export"),
    path("skenario/<int:pk>/hapus/", views.scenario_delete, name="scenario-delete"),
]

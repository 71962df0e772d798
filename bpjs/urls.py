"""Pages of the BPJS review queue, the collective-registration sheet, reconciliation and a desa's BPJS
status (issue "BPJS review, reconciliation"). Included at the site root."""

from django.urls import path

from bpjs import views

urlpatterns = [
    path("bpjs/antrean/", views.review_queue, name="review-queue"),
    path("bpjs/antrean/setujui/", views.review_approve, name="review-approve"),
    path("bpjs/antrean/tolak/", views.review_reject, name="review-reject"),
    path("bpjs/antrean.xlsx", views.review_export, name="review-export"),
    path("bpjs/antrean/impor/", views.review_import, name="review-import"),
    path("bpjs/antrean/impor/konfirmasi/", views.review_import_confirm, name="review-import-confirm"),
    path("bpjs/rekonsiliasi/", views.reconciliation_new, name="reconciliation-new"),
    path("bpjs/rekonsiliasi/<slug:token>/", views.reconciliation_detail, name="reconciliation-detail"),
    path("bpjs/rekonsiliasi/<slug:token>.xlsx", views.reconciliation_export, name="reconciliation-export"),
    path("bpjs/rekonsiliasi/<slug:token>/terapkan/", views.reconciliation_apply, name="reconciliation-apply"),
    path("desa/<str:code>/bpjs/", views.village_bpjs_status, name="village-bpjs-status"),
]

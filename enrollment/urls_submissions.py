"""Pages of documents, submissions, deadlines, officials exports and notifications (included at the root)."""

from django.urls import path

from accounts import views_notifications

from . import views_documents, views_exports, views_submissions

urlpatterns = [
    # documents
    path("perangkat/<int:pk>/berkas/", views_documents.official_documents, name="official-documents"),
    path("berkas/<int:pk>/", views_documents.document_download, name="document-download"),
    path("berkas/<int:pk>/hapus/", views_documents.document_delete, name="document-delete"),
    # submissions: the village side
    path("desa/<str:code>/pengajuan/", views_submissions.village_submissions, name="village-submissions"),
    path("desa/<str:code>/pengajuan/mulai/", views_submissions.submission_start, name="submission-start"),
    path("pengajuan/<int:pk>/", views_submissions.submission_detail, name="submission-detail"),
    path("pengajuan/<int:pk>/ajukan/", views_submissions.submission_submit, name="submission-submit"),
    # submissions: the DPMD side
    path("pengajuan/<int:pk>/verifikasi/", views_submissions.submission_verify, name="submission-verify"),
    path("pengajuan/<int:pk>/kembalikan/", views_submissions.submission_return, name="submission-return"),
    path("pengajuan/<int:pk>/teruskan/", views_submissions.submission_forward, name="submission-forward"),
    path("wilayah/<str:code>/pengajuan/", views_submissions.regency_submissions, name="regency-submissions"),
    path("wilayah/<str:code>/tenggat/", views_submissions.regency_deadlines, name="regency-deadlines"),
    # officials to Excel
    path("desa/<str:code>/perangkat.xlsx", views_exports.village_officials_xlsx, name="village-officials-xlsx"),
    path(
        "kecamatan/<str:code>/perangkat.xlsx",
        views_exports.subdistrict_officials_xlsx,
        name="subdistrict-officials-xlsx",
    ),
    path("wilayah/<str:code>/perangkat.xlsx", views_exports.regency_officials_xlsx, name="regency-officials-xlsx"),
    # notifications
    path("notifikasi/", views_notifications.notification_list, name="notifications"),
    path("notifikasi/<int:pk>/baca/", views_notifications.notification_read, name="notification-read"),
    path("notifikasi/baca-semua/", views_notifications.notification_read_all, name="notifications-read-all"),
]

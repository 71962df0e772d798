"""Pages of documents, submissions and deadlines (included at the site root)."""

from django.urls import path

from submissions import views as views_submissions
from submissions import views_documents

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
]

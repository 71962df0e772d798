"""Documents of officials (KTP, KK, SK pengangkatan): who may see and change them, and the writes.

A file is accepted by what it *is*, never by its name or by the content type the browser claims: its
first bytes must be those of a PDF, a JPEG or a PNG. Files live in private storage (MEDIA_ROOT has no
URL) and are served by a scoped view only.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import DocumentType, Village
from core.permissions import ensure, may_edit_documents, object_for_user

# max_size_label and sniff_content_type are read here by the pages and the tests.
from core.uploads import document_check_file, max_size_label, original_name, sniff_content_type  # noqa: F401
from submissions.models import Document
from villages.models import Person, Post
from villages.selectors import officials_visible_to
from villages.services import ensure_roster_open

# --- selectors ---------------------------------------------------------------------------------------


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents of the officials the user can see: BPJS officers too, since they register people."""
    return Document.objects.filter(person__in=officials_visible_to(user)).select_related(
        "person", "document_type", "uploaded_by"
    )


def official_villages(person: Person) -> list[Village]:
    """The desa where the official holds a current post: whoever may edit one of them may change the
    official's documents (core.permissions.may_edit_documents)."""
    posts = Post.objects.current().filter(person=person)
    return list(Village.objects.filter(posts__in=posts).select_related("subdistrict").distinct())


def official_for_user(user: User, pk: int, *, write: bool = False) -> Person:
    """An official within the user's scope (a 404 outside it); `write` to change their documents."""
    return object_for_user(
        officials_visible_to(user),
        write=write,
        may_write=lambda person: may_edit_documents(user, official_villages(person)),
        denied=_("You may not change the documents of this official."),
        pk=pk,
    )


def document_for_user(user: User, pk: int, *, write: bool = False) -> Document:
    return object_for_user(
        documents_visible_to(user),
        write=write,
        may_write=lambda document: may_edit_documents(user, official_villages(document.person)),
        denied=_("You may not change the documents of this official."),
        pk=pk,
    )


def document_types_in_use() -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(is_active=True).prefetch_related("programs")


def _ensure_may_edit(actor: User, person: Person) -> None:
    villages = official_villages(person)
    ensure(may_edit_documents(actor, villages), _("You may not change the documents of this official."))
    for village in villages:
        ensure_roster_open(village)


def _delete_file_on_commit(storage, name: str) -> None:
    # After the commit: if the transaction rolls back, the record still points at the file.
    transaction.on_commit(lambda: storage.delete(name))


# --- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, actor: User, person: Person, document_type: DocumentType, uploaded_file: UploadedFile
) -> Document:
    """Store a document of an official; a second upload of the same type replaces the first (its file is
    deleted, the history keeps the record)."""
    _ensure_may_edit(actor, person)
    if not document_type.is_active:
        raise ValidationError(_("This document type is no longer in use."), code="inactive_type")
    content_type = document_check_file(uploaded_file)
    document = Document.objects.select_for_update().filter(
        person=person, document_type=document_type
    ).first() or Document(person=person, document_type=document_type)
    old_name = document.file.name if document.pk else ""
    document.token = secrets.token_hex(16)
    document.content_type = content_type
    document.size = uploaded_file.size
    document.original_name = original_name(uploaded_file.name)
    document.uploaded_by = actor
    document._history_user = actor
    # The stored name comes from upload_to (person, type, random token, extension of the real type).
    document.file.save("upload", uploaded_file, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    if old_name and old_name != document.file.name:
        _delete_file_on_commit(document.file.storage, old_name)
    return document


@transaction.atomic
def document_delete(*, actor: User, document: Document) -> None:
    """Remove a document and its file; the history keeps who uploaded and who removed it."""
    _ensure_may_edit(actor, document.person)
    storage, name = document.file.storage, document.file.name
    document._history_user = actor
    document.delete()
    if name:
        _delete_file_on_commit(storage, name)

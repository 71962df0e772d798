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
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import DocumentType, Village
from core.permissions import ensure, may_edit_documents, may_edit_village, may_open_documents, object_for_user
from core.selectors import villages_visible_to

# max_size_label and sniff_content_type are read here by the pages and the tests.
from core.uploads import document_prepare_file, max_size_label, sniff_content_type  # noqa: F401
from submissions.models import Document
from villages.models import Person, Post
from villages.selectors import home_post_of, officials_visible_to
from villages.services import ensure_roster_open

# --- selectors ---------------------------------------------------------------------------------------


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents the user may open: uploaded for a desa the user can see, of an official who still holds
    a current post there, so that access follows the current posts (after a move the former desa, its
    DPMD and its BPJS officers open nothing). BPJS officers see them too, since they register people;
    province observers see whether a paper is there, never the file."""
    if not may_open_documents(user):
        return Document.objects.none()
    return _of_current_posts(Document.objects.filter(village__in=villages_visible_to(user))).select_related(
        "person", "document_type", "uploaded_by", "village__subdistrict"
    )


def _of_current_posts(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Documents of a desa where their official holds a current post."""
    return documents.filter(
        Exists(Post.objects.current().filter(person=OuterRef("person"), village=OuterRef("village")))
    )


def document_types_present(person: Person) -> set[str]:
    """The types of which the official has a document in a desa where they serve: the status "uploaded"
    that every role sees, whoever may open the file."""
    return set(_of_current_posts(Document.objects.filter(person=person)).values_list("document_type_id", flat=True))


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
    """A document the user may open (a 404 otherwise); `write` to remove it, which is for whoever may
    edit the desa it was uploaded for."""
    return object_for_user(
        documents_visible_to(user),
        write=write,
        may_write=lambda document: may_edit_village(user, document.village),
        denied=_("You may not change the documents of this official."),
        pk=pk,
    )


def document_types_in_use() -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(is_active=True).prefetch_related("programs")


def upload_village(actor: User, person: Person) -> Village | None:
    """The desa a document the actor uploads belongs to: of the official's current posts, one whose desa
    the actor may edit, the home post's first (a DPMD or superuser may edit both desa of an acting post)."""
    posts = list(Post.objects.current().filter(person=person).select_related("village__subdistrict"))
    home = home_post_of(posts)
    ordered = sorted(posts, key=lambda post: post is not home)
    return next((post.village for post in ordered if may_edit_village(actor, post.village)), None)


def _ensure_may_edit(actor: User, village: Village | None) -> Village:
    # No roster lock here: a submission with DPMD locks the officials' data, not their papers, so a
    # missing or illegible document can still be sent while DPMD checks.
    ensure(
        village is not None and may_edit_village(actor, village),
        _("You may not change the documents of this official."),
    )
    return village


def _delete_file_on_commit(storage, name: str) -> None:
    # After the commit: if the transaction rolls back, the record still points at the file.
    transaction.on_commit(lambda: storage.delete(name))


# --- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, actor: User, person: Person, document_type: DocumentType, uploaded_file: UploadedFile
) -> Document:
    """Store a document of an official for the actor's desa (upload_village); a second upload of the same
    type there replaces the first (its file is deleted, the history keeps the record). Another desa's
    document of the official is never touched."""
    village = _ensure_may_edit(actor, upload_village(actor, person))
    if not document_type.is_active:
        raise ValidationError(_("This document type is no longer in use."), code="inactive_type")
    prepared = document_prepare_file(uploaded_file, label=f"{document_type.name} {person.full_name}")
    document = Document.objects.select_for_update().filter(
        person=person, document_type=document_type, village=village
    ).first() or Document(person=person, document_type=document_type, village=village)
    old_name = document.file.name if document.pk else ""
    document.token = secrets.token_hex(16)
    document.content_type = prepared.content_type
    document.size = prepared.size
    document.original_name = prepared.name
    document.uploaded_by = actor
    document._history_user = actor
    # The stored name comes from upload_to (person, type, random token, extension of the real type).
    document.file.save("upload", prepared.file, save=False)
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
    """Remove a document and its file; the history keeps who uploaded and who removed it. Not while DPMD
    checks the desa's submission: a paper can be replaced then, but not taken away from under the check."""
    ensure_roster_open(_ensure_may_edit(actor, document.village))
    storage, name = document.file.storage, document.file.name
    document._history_user = actor
    document.delete()
    if name:
        _delete_file_on_commit(storage, name)

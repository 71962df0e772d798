"""Documents of an official: the list with an upload form per type, the private download, removal.

Seeing follows the official (officials_visible_to, a 404 outside it); changing needs a desa the user may
edit where the official holds a current post (a 403 for read-only roles such as BPJS officers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.models import DocumentType
from core.selectors import programs_visible_to
from submissions import documents as document_services
from submissions.access import document_download_record
from submissions.selectors import missing_documents, roster_locked
from villages.selectors import posts_visible_to


class DocumentUploadForm(forms.Form):
    document_type = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(is_active=True), label=gettext_lazy("Document type")
    )
    file = forms.FileField(
        label=gettext_lazy("File (PDF, JPG or PNG)"),
        allow_empty_file=True,  # the service says "empty" in its own words
        error_messages={"required": gettext_lazy("Choose a file to upload.")},
    )


def _page(request, person, form: DocumentUploadForm | None = None, status: int = 200):
    programs = list(programs_visible_to(request.user))
    types = list(document_services.document_types_in_use())
    documents = {}
    # A DPMD may open the papers of both desa of an acting official: the latest of each type is shown.
    for document in document_services.documents_visible_to(request.user).filter(person=person).order_by("-uploaded_at"):
        documents.setdefault(document.document_type_id, document)
    present = document_services.document_types_present(person)
    visible = {p.code for p in programs}
    rows = [
        (t, documents.get(t.pk), t.pk in present, [p for p in t.programs.all() if p.code in visible]) for t in types
    ]
    # Only the desa the user can see are named; uploads go to the user's own desa of the official.
    posts = list(posts_visible_to(request.user).current().filter(person=person).select_related("village__subdistrict"))
    village = document_services.upload_village(request.user, person)
    context = {
        "person": person,
        "rows": rows,
        "missing": missing_documents([person.pk], programs)[person.pk],
        "posts": posts,
        "can_edit": village is not None,
        "locked": village is not None and roster_locked(village),
        "form": form,
        "max_mb": document_services.max_size_label("application/pdf"),
        "max_image_mb": document_services.max_size_label("image/jpeg"),
    }
    return render(request, "submissions/documents.html", context, status=status)


@login_required
def official_documents(request, pk):
    person = document_services.official_for_user(request.user, pk, write=request.method == "POST")
    if request.method != "POST":
        return _page(request, person)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = document_services.document_upload(
                actor=request.user,
                person=person,
                document_type=form.cleaned_data["document_type"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # a file problem lands on `file`, a locked roster above the form
        else:
            messages.success(
                request, _("%(type)s of %(name)s saved.") % {"type": document.document_type, "name": person}
            )
            return redirect("official-documents", pk=person.pk)
    return _page(request, person, form=form, status=400)


@login_required
def document_download(request, pk):
    document = document_services.document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The name is built from known values, never from what was uploaded.
    filename = f"{document.document_type_id}-{slugify(document.person.full_name) or document.person_id}"
    response = FileResponse(
        handle, content_type=document.content_type, as_attachment=False, filename=filename + document.extension
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    document_download_record(request, document)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    """GET asks "remove this document?"; only the POST of that page removes it."""
    document = document_services.document_for_user(request.user, pk, write=True)
    person = document.person
    if request.method != "POST":
        context = {"document": document, "person": person, "locked": roster_locked(document.village)}
        return render(request, "submissions/document_delete.html", context)
    try:
        document_services.document_delete(actor=request.user, document=document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(type)s of %(name)s removed.") % {"type": document.document_type, "name": person})
    return redirect("official-documents", pk=person.pk)

"""Reads of previews: a user's own preview, by its token."""

from __future__ import annotations

from django.http import Http404

from accounts.models import User
from previews.models import Preview


def preview_for(user: User, token: str, *, kind: str, scope: str | None = None) -> Preview | None:
    """The user's open preview of this kind (and page) under `token`; None when there is no such
    preview any more (expired, confirmed, discarded, never made). Another user's preview, or one made on
    another page, is a 404: its owner's data is not shown and nothing about it is said."""
    preview = Preview.objects.filter(token=token, kind=kind).first() if token else None
    return preview_owned(user, preview, scope=scope)


def preview_owned(user: User, preview: Preview | None, *, scope: str | None = None) -> Preview | None:
    """`preview`, already loaded (through the object that links it), if it is still open; the same 404 as
    preview_for when it is another user's or another page's."""
    if preview is None:
        return None
    if preview.created_by_id != user.pk or (scope is not None and preview.scope != scope):
        raise Http404
    return preview if preview.is_open else None

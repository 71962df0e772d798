"""Excel lists of officials and their enrollments, for a desa, a kecamatan or a regency, and the export
of the whole country (or a province) that a worker writes.

Scoped like the pages (a 404 outside the scope); the NIK is full only for roles that may see it."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from core.data_versions import versions
from core.models import Regency, Village
from core.nik import decrypt_bytes, encrypt_bytes
from core.permissions import (
    may_see_nik,
    may_see_participant_number,
    regency_for_user,
    subdistrict_for_user,
    village_for_user,
)
from core.queue import QueueUnavailable
from core.selectors import programs_visible_to
from core.spreadsheets.writer import XLSX, attachment, title_text
from enrollment.exports import officials_posts, officials_xlsx
from enrollment.models import ExportJob
from enrollment.national_export import export_job_for_user, export_job_start, may_export_widely


def _export(request, villages, *, code: str, regency: Regency):
    programs = list(programs_visible_to(request.user))
    day = timezone.localdate()
    what = _("Officials %(code)s") % {"code": code}
    rows, show_nik = officials_posts(villages), may_see_nik(request.user)
    access_record(
        request,
        AccessRecord.Kind.OFFICIALS,
        target=code,
        niks={regency.pk: rows.count()},
        masked=not show_nik,
    )
    whole_numbers = {p.code for p in programs if may_see_participant_number(request.user, p)}
    filename = f"perangkat-{code}-{day.isoformat()}.xlsx"
    # The same file for the same rows, day, language, programs and masking: kept under the regency's data
    # version (core.data_versions), encrypted (it holds NIKs), so a second download is not written again.
    token = versions([regency.code]).of(regency.code)
    key = None
    if token is not None:
        what_of = f"{code}:{day.isoformat()}:{get_language()}:{','.join(p.code for p in programs)}"
        key = f"officials-xlsx:1:{what_of}:{int(show_nik)}:{','.join(sorted(whole_numbers))}:{token}"
        kept = cache.get(key)
        data = decrypt_bytes(kept) if kept is not None else None
        if data is not None:
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = attachment(filename)
            if show_nik:
                response["Cache-Control"] = "no-store"
            return response
    response = officials_xlsx(
        rows,
        programs=programs,
        show_nik=show_nik,
        whole_numbers=whole_numbers,
        filename=filename,
        title=title_text(what, regency=regency, day=day),
        sheet_title=what,
    )
    if key is not None:
        response.streaming_content = _kept_when_whole(response.streaming_content, key)
    return response


def _kept_when_whole(chunks, key: str):
    """The chunks as they go out; once the last has gone, the whole file is cached (encrypted). A download
    broken off keeps nothing."""
    sent = []
    for chunk in chunks:
        sent.append(chunk)
        yield chunk
    cache.set(key, encrypt_bytes(b"".join(sent)), FILE_CACHE_SECONDS)


FILE_CACHE_SECONDS = 60 * 60


@login_required
def village_officials_xlsx(request, code):
    village = village_for_user(request.user, code)
    return _export(
        request, Village.objects.filter(pk=village.pk), code=village.code, regency=village.subdistrict.regency
    )


@login_required
def subdistrict_officials_xlsx(request, code):
    subdistrict = subdistrict_for_user(request.user, code)
    return _export(
        request, Village.objects.filter(subdistrict=subdistrict), code=subdistrict.code, regency=subdistrict.regency
    )


@login_required
def regency_officials_xlsx(request, code):
    regency = regency_for_user(request.user, code)
    return _export(request, Village.objects.filter(subdistrict__regency=regency), code=regency.code, regency=regency)


@login_required
@require_POST
def officials_export_start(request):
    """From the regency comparison: every official of the user's scope, written by a worker."""
    if not may_export_widely(request.user):
        raise Http404
    try:
        job = export_job_start(actor=request.user)
    except QueueUnavailable as error:
        messages.error(request, str(error))
        return redirect("regency-list")
    return redirect("export-job", job.token)


@login_required
def export_job_detail(request, token):
    job = export_job_for_user(request.user, token)
    return render(request, "enrollment/export_job.html", {"job": job})


@login_required
def export_job_download(request, token):
    job = export_job_for_user(request.user, token)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    access_record(
        request,
        AccessRecord.Kind.OFFICIALS,
        target=job.province.code if job.province_id else _("Indonesia"),
        niks=job.niks or {None: 0},
        masked=not may_see_nik(job.created_by),
    )
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=os.path.basename(job.file.name))
    response["Content-Type"] = XLSX
    response["Cache-Control"] = "no-store"
    return response

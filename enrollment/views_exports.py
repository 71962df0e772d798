"""Excel lists of officials and their enrollments, for a desa, a kecamatan or a regency.

Scoped like the pages (a 404 outside the scope); the NIK is full only for roles that may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_record
from accounts.models import AccessRecord
from core.models import Regency, Village
from core.permissions import (
    may_see_nik,
    may_see_participant_number,
    regency_for_user,
    subdistrict_for_user,
    village_for_user,
)
from core.selectors import programs_visible_to
from core.spreadsheets.writer import title_text
from enrollment.exports import officials_posts, officials_xlsx


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
    return officials_xlsx(
        rows,
        programs=programs,
        show_nik=show_nik,
        whole_numbers={p.code for p in programs if may_see_participant_number(request.user, p)},
        filename=f"perangkat-{code}-{day.isoformat()}.xlsx",
        title=title_text(what, regency=regency, day=day),
        sheet_title=what,
    )


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

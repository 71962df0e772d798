"""The NIK form of an import whose rows came without a NIK (an OpenSID list): thin view over
villages.roster_import.nik_step. Scoped as the other buttons of an import (views_import._step): another
user's import, or one outside the scope, is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from villages.roster_import.nik_step import roster_import_fill_niks
from villages.roster_import.selectors import roster_import_for_user


@login_required
@require_POST
def import_niks(request, token):
    roster_import = roster_import_for_user(request.user, token, write=True)
    waiting = [entry["row"] for entry in (roster_import.result or {}).get("needs_nik", [])]
    niks = {n: request.POST.get(f"nik-{n}", "") for n in waiting}
    left_out = {n for n in waiting if request.POST.get(f"skip-{n}")}
    try:
        roster_import_fill_niks(actor=request.user, roster_import=roster_import, niks=niks, left_out=left_out)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("import-detail", args=[token])
    return redirect(f"{url}#needs-nik" if (roster_import.result or {}).get("needs_nik") else url)

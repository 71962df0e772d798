"""Coverage pages: the regency dashboard, its drill-downs, the lists behind its numbers, the follow-up
list and its Excel export, and the comparison of regencies."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import access_record
from accounts.models import AccessRecord
from accounts.selectors import regency_login_count
from core.models import FundingSource, Regency, Village
from core.permissions import (
    may_edit_regency,
    may_manage_accounts,
    may_view_queue,
    regency_for_user,
    subdistrict_for_user,
)
from core.replica import replica_reads
from core.selectors import programs_visible_to, regencies_visible_to
from enrollment import exports
from enrollment.figures import (
    TARGET_FORM,
    page_part,
    regencies_figures,
    regencies_key,
    regency_figures,
    regency_key,
    rendered,
    subdistrict_figures,
)
from enrollment.followup_stages import with_submission_stage
from enrollment.lists import choice, list_filters, wants_xlsx
from enrollment.models import Enrollment
from enrollment.national_export import export_jobs_visible_to, may_export_widely
from enrollment.params import as_of_from, program_for
from enrollment.selectors import (
    VILLAGE_SORTS,
    listed_posts,
    officials_listed,
    villages_by_coverage,
)
from enrollment.status import attach_program_status
from enrollment.trend import coverage_target_set, coverage_trends, target_years, trend_chart
from villages.models import Position, Post, position_rank

OFFICIAL_SORT_LABELS = [
    ("name", gettext_lazy("name")),
    ("desa", gettext_lazy("village")),
    ("position", gettext_lazy("position")),
]
VILLAGE_FILTERS = ("all", "covered", "fully_covered", "uncovered")
OFFICIAL_FILTERS = ("all", "covered", "uncovered", "inactive", "not_enrolled")


def _day(request):
    try:
        return as_of_from(request.GET.get("as_of"))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return as_of_from(None)


def _regency_villages(regency: Regency):
    return Village.objects.filter(subdistrict__regency=regency)


def _cells(figures: dict, key, programs: list) -> list:
    """[(program, Coverage or None)] for one row of a coverage table."""
    return [(p, figures.get(key, {}).get(p.code)) for p in programs]


@login_required
@replica_reads
def regency_list(request):
    """All regencies in scope side by side: for superusers and province observers."""
    day = _day(request)
    regencies = list(regencies_visible_to(request.user).filter(subdistricts__isnull=False).distinct())
    programs = list(programs_visible_to(request.user))

    def table() -> str:
        figures = regencies_figures(regencies=regencies, programs=programs, day=day)
        rows = [(r, _cells(figures, r.pk, programs)) for r in regencies]
        return render_to_string("enrollment/_regency_table.html", {"rows": rows, "programs": programs, "day": day})

    key = regencies_key([r.code for r in regencies], day)
    context = {
        "rows": bool(regencies),
        "table_html": rendered(key, "comparison", programs, table),
        "day": day,
        "can_export": may_export_widely(request.user),
    }
    if context["can_export"]:
        context["exports"] = list(export_jobs_visible_to(request.user).filter(created_by=request.user)[:3])
    return render(request, "enrollment/regency_list.html", context)


@login_required
@replica_reads
def regency_dashboard(request, code):
    regency = regency_for_user(request.user, code)
    day = _day(request)
    programs = list(programs_visible_to(request.user))
    key = regency_key(regency.code, day)
    # Counted only when a part below is not cached (enrollment.figures): a warm dashboard asks no figure.
    figures = SimpleLazyObject(lambda: regency_figures(regency=regency, programs=programs, day=day))
    shown = {
        "regency": regency,
        "day": day,
        "programs": programs,
        "cards": SimpleLazyObject(lambda: [(p, figures.totals[p.code], figures.sources[p.code]) for p in programs]),
        "subdistricts": SimpleLazyObject(
            lambda: [(s, _cells(figures.per_subdistrict, s.pk, programs)) for s in figures.subdistricts]
        ),
    }

    def part(name: str, template: str, context: Callable[[], dict]) -> str:
        return rendered(key, f"dashboard-{name}", programs, lambda: render_to_string(template, context(), request))

    def trends() -> dict:
        points, targets = coverage_trends(regency=regency, programs=programs), target_years(regency=regency)
        return {
            **shown,
            "trends": [(p, points[p.code], trend_chart(points[p.code], targets.get(p.code))) for p in programs],
        }

    # The month-by-month charts read the snapshots up to today: cached per today too. The target forms
    # (the user's, with a CSRF token) go into their places after.
    trend_html = part(f"trends:{timezone.localdate().isoformat()}", "enrollment/_trend.html", trends)
    if may_edit_regency(request.user, regency):
        targets = target_years(regency=regency)
        for p in programs:
            form = render_to_string(
                "enrollment/_target_form.html",
                {"regency": regency, "program": p, "year": targets.get(p.code) or day.year},
                request,
            )
            trend_html = mark_safe(trend_html.replace(TARGET_FORM.format(program=p.code), form))
    context = {
        **shown,
        # The figures' HTML is cached with the figures: the same figures, language and programs always
        # render the same (it holds no form and nothing of the user's).
        "cards_html": part("cards", "enrollment/_regency_cards.html", lambda: shown),
        "trends_html": trend_html,
        "subdistricts_html": part("subdistricts", "enrollment/_regency_subdistricts.html", lambda: shown),
        "can_manage_regency": may_edit_regency(request.user, regency),
        "can_view_queue": may_view_queue(request.user),
        # How many desa have a village account that has logged in: for those who put them on board.
        "on_board": regency_login_count(regency) if may_manage_accounts(request.user) else None,
    }
    return render(request, "enrollment/regency_dashboard.html", context)


@login_required
@require_POST
def coverage_target(request, code):
    """DPMD sets the year by which every official should be covered in a program."""
    regency = regency_for_user(request.user, code, write=True)
    program = program_for(request.user, request.POST.get("program"))
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        messages.error(request, _("Give the target as a year, for example 2027."))
    else:
        coverage_target_set(regency=regency, program=program, year=year)
        messages.success(
            request,
            _("Target saved: every official in %(program)s by %(year)d.")
            % {"program": program.short_name, "year": year},
        )
    return redirect("regency-dashboard", code=regency.code)


@login_required
@replica_reads
def subdistrict_detail(request, code):
    subdistrict = subdistrict_for_user(request.user, code)
    day = _day(request)
    programs = list(programs_visible_to(request.user))
    villages = Village.objects.filter(subdistrict=subdistrict)

    def table() -> str:
        per_village, totals = subdistrict_figures(subdistrict=subdistrict, programs=programs, day=day)
        rows = [(v, _cells(per_village, v.pk, programs)) for v in villages.filter(kind__in=Village.GOVERNED_KINDS)]
        shown = {**context, "rows": rows, "totals_cells": _cells({None: totals}, None, programs)}
        return mark_safe(render_to_string("enrollment/_subdistrict_table.html", shown, request))

    context = {
        "subdistrict": subdistrict,
        "regency": subdistrict.regency,
        "day": day,
        "programs": programs,
        "kelurahan": villages.filter(kind=Village.Kind.KELURAHAN),
    }
    # Cached under the regency's data version (enrollment.figures), per programs shown.
    name = f"subdistrict:{subdistrict.code}:{','.join(p.code for p in programs)}"
    context["table_html"] = page_part(subdistrict.regency_id, name, request, day, table)
    return render(request, "enrollment/subdistrict_detail.html", context)


VILLAGE_SORT_LABELS = [
    ("desa", gettext_lazy("village")),
    ("kecamatan", gettext_lazy("subdistrict")),
    ("officials", gettext_lazy("most officials first")),
    ("covered", gettext_lazy("fewest enrolled first")),
]
FOLLOWUP_SORT_LABELS = [("stage", gettext_lazy("nothing sent first")), *VILLAGE_SORT_LABELS]


def _list_scope(request, code: str, figures: tuple[str, ...], **offered) -> dict:
    """What every list behind a dashboard figure reads from the request: regency (404 outside the
    user's scope), program (404 when not the user's), figure (`which`), day, the funding source of a
    source figure, and the kecamatan, desa, position, status and sort of its filter form (enrollment.lists)."""
    regency = regency_for_user(request.user, code)
    program = program_for(request.user, request.GET.get("program"))
    which = choice(request, "which", figures)
    source = None
    if request.GET.get("source"):
        source = get_object_or_404(FundingSource, pk=request.GET["source"])
    filters, day = list_filters(request, regency, **offered), _day(request)
    return {
        "regency": regency,
        "program": program,
        "which": which,
        "source": source,
        "day": day,
        "filters": filters,
        **filters.context(request, as_of=day.isoformat()),
    }


def _villages_xlsx(request, rows, *, regency: Regency, program, day, which: str, stage: bool = False):
    """A list of desa with their village head's name and phone: officials' data, so it is logged."""
    target = f"{regency.code} {program.code} {which} {day.isoformat()}"
    access_record(request, AccessRecord.Kind.VILLAGES, target=target, niks={regency.pk: 0})
    return exports.villages_xlsx(rows, regency=regency, program=program, day=day, which=which, stage=stage)


@login_required
def village_list(request, code):
    """The desa behind a village figure of the dashboard (covered, fully covered, not covered), by
    kecamatan, sorted; the same rows in Excel."""
    scope = _list_scope(request, code, VILLAGE_FILTERS, sorts=VILLAGE_SORT_LABELS)
    program, day = scope["program"], scope["day"]
    rows = villages_by_coverage(
        villages=scope["filters"].villages, program=program, day=day, which=scope["which"], source=scope["source"]
    ).order_by(*VILLAGE_SORTS[scope["sort"]])
    if wants_xlsx(request):
        return _villages_xlsx(request, rows, regency=scope["regency"], program=program, day=day, which=scope["which"])
    count, table = _village_table(request, scope, rows)
    return render(request, "enrollment/village_list.html", {**scope, "count": count, "table_html": table})


def _village_table(request, context: dict, rows) -> tuple[int, str]:
    """How many desa and their table, cached under the regency's data version (enrollment.figures)."""

    def render_table() -> tuple[int, str]:
        listed = list(rows)
        table = render_to_string("enrollment/_village_table.html", {**context, "rows": listed}, request)
        return len(listed), mark_safe(table)

    name = "followup" if context.get("show_submission") else "villages"
    return page_part(context["regency"].code, name, request, context["day"], render_table)


@login_required
def official_list(request, code):
    """The officials behind an official figure of the dashboard, 100 to a page, or all of them in Excel."""
    scope = _list_scope(
        request,
        code,
        OFFICIAL_FILTERS,
        sorts=OFFICIAL_SORT_LABELS,
        positions=Position.choices,
        statuses=Post.Status.choices,
    )
    program, day, filters = scope["program"], scope["day"], scope["filters"]
    wanted = {"villages": filters.villages, "position": filters.position, "status": filters.status}
    people = officials_listed(
        program=program, day=day, which=scope["which"], source=scope["source"], sort=filters.sort, **wanted
    )
    people = people.prefetch_related(
        Prefetch(
            "posts",
            listed_posts(day=day, **wanted).select_related("village__subdistrict").order_by(position_rank(), "pk"),
            to_attr="held_posts",
        ),
        Prefetch(
            "enrollments",
            Enrollment.objects.filter(program=program).select_related("funding_source"),
            to_attr="program_enrollments",
        ),
    )
    if wants_xlsx(request):
        return _officials_xlsx(request, people, scope=scope)

    def render_table() -> tuple[int, str]:
        page = Paginator(people, 100).get_page(request.GET.get("page"))
        page.object_list = attach_program_status(
            list(page.object_list), program=program, day=day, villages=filters.villages
        )
        table = render_to_string("enrollment/_official_table.html", {**scope, "page": page}, request)
        return page.paginator.count, mark_safe(table)

    # Cached under the regency's data version (enrollment.figures), per filters, sort and page.
    count, table = page_part(scope["regency"].code, "officials", request, day, render_table)
    return render(request, "enrollment/official_list.html", {**scope, "count": count, "table_html": table})


def _officials_xlsx(request, people, *, scope: dict):
    """The rows of the page, all of them: names and masked NIKs of officials, so it is logged."""
    regency, program, day = scope["regency"], scope["program"], scope["day"]
    target = f"{regency.code} {program.code} {scope['which']} {day.isoformat()}"
    access_record(request, AccessRecord.Kind.OFFICIALS, target=target, niks={regency.pk: people.count()}, masked=True)
    people = attach_program_status(list(people), program=program, day=day, villages=scope["filters"].villages)
    return exports.official_list_xlsx(people, regency=regency, program=program, day=day, which=scope["which"])


@login_required
def followup(request, code):
    """Desa where no official is enrolled in a program yet, with the village head to call; by
    kecamatan, sorted (those that have sent nothing first, by default); the same rows in Excel."""
    regency = regency_for_user(request.user, code)
    program = program_for(request.user, request.GET.get("program"))
    day = _day(request)
    filters = list_filters(request, regency, sorts=FOLLOWUP_SORT_LABELS)
    rows = villages_by_coverage(villages=filters.villages, program=program, day=day, which="uncovered")
    # Those that have sent nothing first, then those returned, then those waiting at DPMD, then at BPJS.
    rows = with_submission_stage(rows, program)
    if filters.sort == "stage":
        rows = rows.order_by("submission_stage", "subdistrict__name", "name", "pk")
    else:
        rows = rows.order_by(*VILLAGE_SORTS[filters.sort])
    if wants_xlsx(request):
        return _villages_xlsx(request, rows, regency=regency, program=program, day=day, which="uncovered", stage=True)
    context = {
        "regency": regency,
        "program": program,
        "day": day,
        "show_submission": True,
        **filters.context(request, as_of=day.isoformat()),
    }
    count, table = _village_table(request, context, rows)
    return render(
        request,
        "enrollment/followup.html",
        {
            **context,
            "count": count,
            "table_html": table,
            "programs": programs_visible_to(request.user),
        },
    )

"""Pages that put several concerns on one screen: the village page (its officials, their coverage,
papers and submissions) and the page of one official."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from changes.selectors import official_section as official_data_changes
from core.models import Village
from core.permissions import has_regency_scope, may_edit_village, may_see_nik, may_start_submission, village_for_user
from core.selectors import programs_visible_to
from enrollment.selectors import coverage, enrollments_visible_to
from portal.selectors import official_statuses, search_officials
from submissions.selectors import missing_documents, roster_locked
from submissions.services import open_submissions
from villages.models import Post, position_rank
from villages.roster_import.selectors import recent_imports
from villages.selectors import officials_visible_to, posts_visible_to


@login_required
def village_detail(request, code):
    village = village_for_user(request.user, code)
    programs = list(programs_visible_to(request.user))
    day = timezone.localdate()
    posts = Post.objects.filter(village=village).select_related("person")
    # The posts held today, those ending on a later day among them: the very posts the figures count.
    current = list(posts.active_on(day).by_rank("person__full_name", "pk"))
    statuses = official_statuses(request.user, [p.person_id for p in current], programs, day)
    missing = missing_documents([p.person_id for p in current], programs)
    rows = [
        (post, [(p, statuses[post.person_id, p.code]) for p in programs], missing[post.person_id]) for post in current
    ]
    figures = coverage(villages=Village.objects.filter(pk=village.pk), programs=programs, day=day)[None]
    can_edit = may_edit_village(request.user, village)
    context = {
        "village": village,
        "day": day,
        "regency": village.subdistrict.regency,
        "programs": programs,
        "rows": rows,
        "ended": list(posts.filter(ended_on__lte=day).order_by("ended_on", position_rank(), "person__full_name", "pk")),
        "cards": [(p, figures[p.code]) for p in programs],
        "incomplete": sum(1 for _, _, m in rows if m),
        "can_edit": can_edit,
        "can_see_regency": has_regency_scope(request.user),
        "locked": roster_locked(village),
        **_panels(request.user, village, programs, can_edit=can_edit),
    }
    return render(request, "portal/village_detail.html", context)


def _panels(user, village: Village, programs: list, *, can_edit: bool) -> dict:
    """The submissions panel (per program the open submission, or a start button for who may start one)
    and the officials-file panel (the last imports, for who may edit the roster: they hold its data)."""
    current = {s.program_id: s for s in open_submissions([village], programs)} if village.has_government else {}
    return {
        "submission_rows": [(p, current.get(p.code)) for p in programs],
        "may_start": may_start_submission(user, village),
        "imports": recent_imports(village, viewer=user) if can_edit else [],
    }


@login_required
def official_detail(request, pk):
    person = get_object_or_404(officials_visible_to(request.user), pk=pk)
    posts = (
        posts_visible_to(request.user)
        .filter(person=person)
        .select_related("village__subdistrict__regency")
        .order_by("-term_start")
    )
    enrollments = list(enrollments_visible_to(request.user).filter(person=person).prefetch_related("components"))
    for enrollment in enrollments:  # at most one per program
        enrollment.changes = enrollment.history.select_related("history_user").order_by("-history_date")
    programs = list(programs_visible_to(request.user))
    day = timezone.localdate()
    statuses = official_statuses(request.user, [person.pk], programs, day)
    # A rejected enrollment is put right by correcting the data of a post the user may edit.
    editable = next((p for p in posts if p.held_on(day) and may_edit_village(request.user, p.village)), None)
    context = {
        "person": person,
        "nik": person.nik if may_see_nik(request.user) else person.nik_masked,
        "posts": posts,
        "statuses": [(p, statuses[person.pk, p.code]) for p in programs],
        "fix_url": reverse("post-edit", args=[editable.pk]) if editable else "",
        "enrollments": enrollments,
        **official_data_changes(request.user, person),
    }
    return render(request, "portal/official_detail.html", context)


@login_required
def search(request):
    """The header's search box: officials in the user's scope by whole NIK or by name."""
    query = request.GET.get("q", "")
    result = search_officials(request.user, query) if query.strip() else None
    return render(request, "portal/search.html", {"result": result, "query": query})

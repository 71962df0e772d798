"""Pages that put several concerns on one screen: the village page (its officials, their coverage,
papers and submissions) and the page of one official."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.models import Village
from core.permissions import may_edit_village, may_see_nik, village_for_user
from core.selectors import programs_visible_to
from enrollment.models import Enrollment
from enrollment.selectors import coverage, enrollments_visible_to
from submissions.selectors import missing_documents, roster_locked
from villages.models import Post
from villages.selectors import officials_visible_to, posts_visible_to


@login_required
def village_detail(request, code):
    village = village_for_user(request.user, code)
    programs = list(programs_visible_to(request.user))
    day = timezone.localdate()
    posts = list(Post.objects.filter(village=village).select_related("person").order_by("ended_on", "position"))
    current = [p for p in posts if p.ended_on is None]
    enrollments = (
        enrollments_visible_to(request.user)
        .filter(person__in=[p.person_id for p in current], status__in=Enrollment.OPEN_STATUSES)
        .order_by()
    )
    by_person = {(e.person_id, e.program_id): e for e in enrollments}
    missing = missing_documents([p.person_id for p in current], programs)
    rows = [
        (post, [(p, by_person.get((post.person_id, p.code))) for p in programs], missing[post.person_id])
        for post in current
    ]
    figures = coverage(villages=Village.objects.filter(pk=village.pk), programs=programs, day=day)[None]
    context = {
        "village": village,
        "day": day,
        "regency": village.subdistrict.regency,
        "programs": programs,
        "rows": rows,
        "ended": [p for p in posts if p.ended_on is not None],
        "cards": [(p, figures[p.code]) for p in programs],
        "incomplete": sum(1 for _, _, m in rows if m),
        "can_edit": may_edit_village(request.user, village),
        "locked": roster_locked(village),
    }
    return render(request, "portal/village_detail.html", context)


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
    context = {
        "person": person,
        "nik": person.nik if may_see_nik(request.user) else person.nik_masked,
        "posts": posts,
        "enrollments": enrollments,
    }
    return render(request, "portal/official_detail.html", context)

"""Panels of the village page that belong to submissions and documents. Formatting only: the data
comes from the selectors, in a fixed number of queries whatever the village."""

from django import template

from core.permissions import may_start_submission
from core.selectors import programs_visible_to
from submissions.services import open_submissions

register = template.Library()


@register.inclusion_tag("submissions/_village_submissions.html", takes_context=True)
def village_submissions(context, village):
    """Per program the user can see: the open submission (status and link), or a "start" button for
    users who may edit the roster. Three queries."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    programs = list(programs_visible_to(user))
    current = {s.program_id: s for s in open_submissions([village], programs)} if village.has_government else {}
    return {
        "village": village,
        "request": request,
        "rows": [(p, current.get(p.code)) for p in programs],
        "may_start": may_start_submission(user, village),
    }

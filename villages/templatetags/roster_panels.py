"""Panels of the village page that belong to the officials file (template, upload, recent imports).
Formatting only: the data comes from the selectors, in at most two queries."""

from django import template

from core.permissions import may_edit_village
from villages.roster_import.selectors import recent_imports

register = template.Library()


@register.inclusion_tag("villages/_import_panel.html", takes_context=True)
def import_panel(context, village):
    """For users who may edit the roster: the template and upload buttons and the last three imports.
    Read-only roles see nothing (the imports hold data they are not given)."""
    request = context.get("request")
    can_edit = context["can_edit"] if "can_edit" in context else may_edit_village(request.user, village)
    return {
        "village": village,
        "request": request,
        "can_edit": can_edit,
        "locked": context.get("locked", False),
        "imports": recent_imports(village) if can_edit else [],
    }

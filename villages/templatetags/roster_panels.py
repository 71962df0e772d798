"""Panels of the village page that belong to the officials file (template, upload, recent imports)."""

from django import template

register = template.Library()


@register.inclusion_tag("villages/_import_panel.html", takes_context=True)
def import_panel(context, village):
    return {"village": village, "request": context.get("request")}

"""Panels of the village page that belong to submissions and documents."""

from django import template

register = template.Library()


@register.inclusion_tag("enrollment/_village_submissions.html", takes_context=True)
def village_submissions(context, village):
    return {"village": village, "request": context.get("request")}

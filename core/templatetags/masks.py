"""`{% participant_number number program as shown %}`: the participant number as the viewer may see it
(core.masks). Formatting only: the decision is core.permissions.may_see_participant_number."""

from __future__ import annotations

from django import template

from core.masks import participant_number_for

register = template.Library()


@register.simple_tag(takes_context=True)
def participant_number(context, number, program) -> str:
    return participant_number_for(context["request"].user, program, number)

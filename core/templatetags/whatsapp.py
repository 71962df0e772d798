"""`{% whatsapp_link phone "village_head" village=v.name as url %}`: the wa.me link for a phone shown to
staff, with the prefilled message of that purpose (core.whatsapp). Formatting only."""

from __future__ import annotations

from django import template

from core.whatsapp import whatsapp_message, whatsapp_url

register = template.Library()


@register.simple_tag
def whatsapp_link(phone: str, purpose: str, **names: str) -> str:
    return whatsapp_url(phone, whatsapp_message(purpose, **names))

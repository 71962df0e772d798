from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BpjsConfig(AppConfig):
    name = "bpjs"
    verbose_name = _("BPJS")

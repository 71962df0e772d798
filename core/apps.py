from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from core import rules  # noqa: F401 - connects the receivers that forget changed rules

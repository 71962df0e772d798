from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Data changes")

    def ready(self) -> None:
        from django.urls import reverse

        from changes.selectors import frozen_person_ids
        from villages import identity

        # Once BPJS has activated an enrollment, the roster refuses identity changes and points here.
        identity.register(frozen_person_ids, request_path=lambda: reverse("api-data-changes"))

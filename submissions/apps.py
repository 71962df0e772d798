from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from submissions.selectors import locked_village_ids
        from villages import locks

        # While DPMD holds a submission (submitted or verified) the desa's roster is locked.
        locks.register(locked_village_ids)

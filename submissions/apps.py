from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from enrollment import followup_stages, status
        from submissions.selectors import locked_village_ids, officials_waiting_at_dpmd, with_submission_stage
        from villages import locks

        # While DPMD holds a submission (submitted or verified) the desa's roster is locked.
        locks.register(locked_village_ids)
        # The follow-up list puts first the desa that have sent nothing.
        followup_stages.register(with_submission_stage)
        # An official's status reads "submitted, waiting at DPMD" while their desa's submission is there.
        status.register_waiting(officials_waiting_at_dpmd)

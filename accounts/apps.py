from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import signals

        user_logged_in.connect(signals.record_login, dispatch_uid="accounts.record_login")
        user_login_failed.connect(signals.record_failed_login, dispatch_uid="accounts.record_failed_login")

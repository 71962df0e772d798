"""Password login that lets a one-time password open one session only."""

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and user.must_change_password and user.one_time_password_used:
            return None  # the one-time password was used: DPMD gives a new one
        return user

"""The account tests log in through the login page, so the actors need a password the tests know,
whether the factories made them or the session-wide demo did (with the demo's password)."""

import pytest

PASSWORD = "rahasia-123"


def _known(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def head_suka_pindah(head_suka_pindah):
    return _known(head_suka_pindah)


@pytest.fixture
def head_arah_tiga(head_arah_tiga):
    return _known(head_arah_tiga)


@pytest.fixture
def dpmd_mukomuko(dpmd_mukomuko):
    return _known(dpmd_mukomuko)

"""Production settings refuse to start without their secrets or with a malformed switch.

Each case imports the settings in a fresh interpreter with a clean environment, as a server starts.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# A developer's .env must not fill in what the case leaves out, so the child skips reading it.
SETUP = (
    "import environ; environ.Env.read_env = staticmethod(lambda *args, **kwargs: None); import django; django.setup()"
)

PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "x" * 64,
    "NIK_ENCRYPTION_KEYS": "ZGV2LW9ubHktbmlrLWtleS1kby1ub3QtdXNlLTAwMDA=",
    "NIK_HASH_KEY": "y" * 48,
    "DJANGO_ALLOWED_HOSTS": "desajaminan.example.go.id",
}


def start(environment: dict[str, str], code: str = SETUP) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "desa_jaminan.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_settings_start_with_every_secret_set():
    result = start(PRODUCTION)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "NIK_ENCRYPTION_KEYS", "NIK_HASH_KEY"])
def test_production_refuses_to_start_without_a_secret(name):
    environment = {key: value for key, value in PRODUCTION.items() if key != name}

    result = start(environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_debug_off_without_secret_key_names_the_variable():
    result = start({"DJANGO_DEBUG": "False"})

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY" in result.stderr


def test_malformed_debug_switch_fails_loudly():
    result = start({**PRODUCTION, "DJANGO_DEBUG": "perhaps"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr

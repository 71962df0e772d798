"""gunicorn.conf.py takes workers, threads and timeouts from the environment, with defaults that hold up
behind a proxy; compose and the image start gunicorn with it."""

import runpy
from inspect import ismodule
from pathlib import Path

import pytest
from gunicorn.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CONF = BASE_DIR / "gunicorn.conf.py"
VARIABLES = [
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_BIND",
]


@pytest.fixture
def load(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        namespace = runpy.run_path(str(CONF))
        # What gunicorn itself would apply: every lower-case name must be one of its settings.
        config = Config()
        for name, value in namespace.items():
            if name.islower() and not name.startswith("_") and not callable(value) and not ismodule(value):
                assert name in config.settings, name
                config.set(name, value)
        return config

    return load


def test_defaults_without_environment(load, monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)

    config = load()

    assert config.workers == 5
    assert config.threads == 1
    assert config.worker_class_str == "sync"
    assert config.timeout == 60
    assert config.keepalive == 5
    assert config.max_requests == 1000
    assert config.max_requests_jitter == 100
    assert config.bind == ["0.0.0.0:8000"]
    assert config.accesslog == "-"


def test_default_workers_are_capped_on_a_large_machine(load, monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 32)

    assert load().workers == 9


def test_values_come_from_the_environment(load):
    config = load(
        WEB_CONCURRENCY="3",
        GUNICORN_TIMEOUT="120",
        GUNICORN_KEEPALIVE="10",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
        GUNICORN_BIND="127.0.0.1:9000",
    )

    assert config.workers == 3
    assert config.timeout == 120
    assert config.keepalive == 10
    assert config.max_requests == 500
    assert config.max_requests_jitter == 50
    assert config.bind == ["127.0.0.1:9000"]


def test_threads_switch_to_the_gthread_worker(load):
    config = load(GUNICORN_THREADS="4")

    assert config.threads == 4
    assert config.worker_class_str == "gthread"


@pytest.mark.parametrize(("name", "value"), [("WEB_CONCURRENCY", "many"), ("GUNICORN_TIMEOUT", "0")])
def test_malformed_value_stops_the_start_naming_the_variable(load, name, value):
    with pytest.raises(SystemExit, match=name):
        load(**{name: value})


def test_image_and_compose_start_gunicorn_with_this_file():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    compose = (BASE_DIR / "docker-compose.yml").read_text()

    assert "gunicorn.conf.py" in dockerfile
    assert "gunicorn.conf.py" in compose
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        assert f"${{{name}:-" in compose, name

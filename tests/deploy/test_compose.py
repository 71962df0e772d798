"""docker-compose.yml runs behind a proxy with any number of web and worker containers
(`docker compose up --scale web=3 --scale worker=4`): they share the uploads, migrate runs once before
them, and nothing ties a scaled service to one container."""

from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCALED = ("web", "worker")
APP = ("web", "worker", "beat")
MEDIA = "/app/private"  # MEDIA_ROOT in the image (DJANGO_PRIVATE_MEDIA_ROOT unset: BASE_DIR / "private")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]


def volume_at(service: dict, target: str) -> str | None:
    """The named volume a service mounts at `target` ("private-media:/app/private" → "private-media")."""
    for volume in service.get("volumes", []):
        source, _, rest = volume.partition(":")
        if rest.split(":")[0] == target:
            return source
    return None


def test_web_and_worker_mount_one_media_volume_where_the_app_keeps_uploads(services):
    mounted = {name: volume_at(services[name], MEDIA) for name in APP}

    assert mounted["web"] is not None
    assert set(mounted.values()) == {mounted["web"]}


def test_migrate_is_a_one_shot_service_every_app_container_waits_for(services):
    migrate = services["migrate"]

    assert "migrate" in migrate["command"]
    assert migrate["restart"] == "no"
    for name in APP:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in str(services[name]["command"])


@pytest.mark.parametrize("name", SCALED)
def test_scaled_services_have_no_container_name_and_no_fixed_host_port(services, name):
    service = services[name]

    assert "container_name" not in service
    assert "ports" not in service


def test_the_proxy_publishes_the_site_and_reaches_every_web_replica_by_name(services):
    proxy = services["proxy"]
    conf = (BASE_DIR / "deploy" / "nginx.conf").read_text()

    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert any(port.endswith(":443") for port in proxy["ports"])
    assert "http://web:8000" in conf
    assert "X-Forwarded-Proto" in conf
    assert "resolver 127.0.0.11" in conf  # re-resolved, so replicas added later get requests too

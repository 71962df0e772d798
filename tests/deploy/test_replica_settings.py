"""DATABASE_REPLICA_URL adds the replica and its router; without it the settings are as before."""

import json

from tests.test_settings import SETUP, start

SHOW = (
    SETUP + "; from django.conf import settings as s; import json;"
    " print(json.dumps({'replica': s.DATABASES.get('replica'), 'routers': s.DATABASE_ROUTERS,"
    " 'alias': s.REPLICA_DATABASE, 'sticky': s.REPLICA_STICKY_SECONDS}, default=str))"
)


def settings_with(environment: dict[str, str]) -> dict:
    result = start(environment, code=SHOW)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_replica_url_adds_the_replica_its_router_and_a_test_mirror():
    shown = settings_with(
        {
            "DATABASE_REPLICA_URL": "postgres://reader:secret@replica-host:5432/desa_jaminan",
            "REPLICA_STICKY_SECONDS": "15",
        }
    )

    assert shown["replica"]["HOST"] == "replica-host"
    assert shown["replica"]["TEST"]["MIRROR"] == "default"
    assert shown["replica"]["OPTIONS"]["connect_timeout"] == 5
    assert shown["routers"] == ["core.db_router.ReplicaRouter"]
    assert shown["alias"] == "replica"
    assert shown["sticky"] == 15


def test_without_replica_url_there_is_one_database_and_no_router():
    shown = settings_with({})

    assert shown["replica"] is None
    assert shown["routers"] == []
    assert shown["alias"] is None
    assert shown["sticky"] == 10

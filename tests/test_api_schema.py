"""The OpenAPI schema describes every endpoint without guesswork (CI's `check --deploy` fails otherwise)."""

from django.core.management import call_command


def test_the_api_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/coverage/" in schema
    assert "/api/v1/villages/{code}/officials/" in schema

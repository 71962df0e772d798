"""Support for migrations that move a model from one app to another without touching its table."""

from __future__ import annotations

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """Relabel the content types of moved models, so permissions and admin log entries keep pointing at
    them (a new content type would leave the old ones stale, and removing those would cascade)."""

    def relabel(apps, schema_editor, source: str, target: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not content_type.objects.filter(app_label=target, model=model).exists():
                content_type.objects.filter(app_label=source, model=model).update(app_label=target)

    return migrations.RunPython(
        lambda apps, editor: relabel(apps, editor, old_app, new_app),
        lambda apps, editor: relabel(apps, editor, new_app, old_app),
    )

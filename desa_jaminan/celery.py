import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desa_jaminan.settings")

app = Celery("desa_jaminan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

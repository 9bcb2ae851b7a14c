import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dutyflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs):
    """Database connections in the worker follow CONN_MAX_AGE and CONN_HEALTH_CHECKS, as in a
    request: kept between tasks, closed when too old or broken. (Celery's own Django fixup,
    without CELERY_DB_REUSE_MAX, closes the connection before and after every task: a new
    PostgreSQL connection per notification.) Eager tasks run inside their caller's transaction
    and are left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()

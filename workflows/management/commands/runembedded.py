import os

from django.conf import settings

# The staticfiles runserver, not the core one: with DEBUG on (the embedded default) it serves
# /static/ itself, so that `make run` shows styled pages and charts.
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from workflows.embedded import start_embedded_beat


class Command(RunserverCommand):
    help = "Run the web server with periodic tasks executed in-process (the embedded default)."

    def inner_run(self, *args, **options):
        # With the autoreloader, only the serving child process (RUN_MAIN) runs the scheduler.
        if settings.CELERY_TASK_ALWAYS_EAGER and (
            os.environ.get("RUN_MAIN") == "true" or not options.get("use_reloader")
        ):
            start_embedded_beat()
            self.stdout.write("Periodic tasks run in-process (embedded beat).")
        super().inner_run(*args, **options)

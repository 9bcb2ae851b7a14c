import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organization.demo import DEMO_PASSWORD, seed_organization


class Command(BaseCommand):
    help = "Create or refresh the demo township of API.md (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow seeding when DJANGO_ENV=production.")

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusing to create demo accounts with a known password in production; pass --force if you mean it."
            )
        # The demo's notifications are delivered in-process; one "Task … succeeded" line each
        # would bury the summary (and the demo logins printed after it).
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        result = seed_organization()
        for hook in _extra_seeders():
            hook(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo township ready: {result.units} units, {result.users} users, "
                f"{result.memberships} memberships. Password for every demo account: {DEMO_PASSWORD}"
            )
        )


def _extra_seeders():
    """Later apps add demo content by listing a callable in settings.DEMO_SEEDERS."""
    from django.utils.module_loading import import_string

    return [import_string(path) for path in getattr(settings, "DEMO_SEEDERS", [])]

from django.core.management.base import BaseCommand, CommandError

from ...excel import list_month_from_text
from ...services.generation import lists_generate_monthly, next_month


class Command(BaseCommand):
    help = "Create next month's (or --month's) draft list for every branch from its recurring items (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: next month")

    def handle(self, *args, month=None, **options):
        try:
            target = list_month_from_text(month) if month else next_month()
        except ValueError as exc:
            raise CommandError(f"--month {month!r}: {exc}") from exc
        result = lists_generate_monthly(month=target)
        self.stdout.write(
            f"{target:%Y-%m}: {result.lists_created} lists created, {result.items_created} recurring items added."
        )

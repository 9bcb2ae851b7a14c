import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...obligations import obligations_open


class Command(BaseCommand):
    help = "Open every branch's 三会一课 obligations of the current period (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO 8601 moment; default: now")

    def handle(self, *args, as_of=None, **options):
        try:
            moment = dt.datetime.fromisoformat(as_of) if as_of else timezone.now()
        except ValueError as exc:
            raise CommandError(f"--as-of {as_of!r}: {exc}") from exc
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        result = obligations_open(as_of=moment)
        self.stdout.write(f"{result.opened} obligations opened, {result.met} met by activities already recorded.")

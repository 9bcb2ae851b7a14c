"""``manage.py verify_audit``: recompute every transition log chain; exit 1 naming the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from workflows.audit import verify_chains
from workflows.models import TransitionLog


class Command(BaseCommand):
    help = "Verify the hash chains of the transition log; fails and names the first broken row."

    def handle(self, *args, **options):
        breaks = verify_chains()
        if breaks:
            for chain_break in breaks:
                self.stderr.write(f"BROKEN {chain_break}")
            raise CommandError(
                f"Transition log is not intact: {len(breaks)} broken chain(s); first broken row: {breaks[0]}",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Transition log intact: {TransitionLog.objects.count()} row(s) verified.")
        )

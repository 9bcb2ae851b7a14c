import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflows.bounds import EARLIEST_DATE, LATEST_DATE, in_range
from workflows.sweep import BATCH_SIZE, SweepProgress, sweep_deadlines


def parse_as_of(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--as-of: '{value}' is not an ISO 8601 date-time (e.g. 2026-12-05T09:00:00+08:00)."
        ) from exc
    if timezone.is_naive(parsed):
        raise CommandError(f"--as-of: '{value}' has no UTC offset (e.g. 2026-12-05T09:00:00+08:00).")
    if not in_range(parsed):
        raise CommandError(f"--as-of: '{value}' lies outside {EARLIEST_DATE} to {LATEST_DATE}.")
    return parsed


class ProgressBar:
    """One line redrawn after each batch, for a terminal: ``[#####·····] 1500/10000 objects …``."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.drawn = False

    def __call__(self, progress: SweepProgress) -> None:
        filled = self.WIDTH * progress.done // progress.total if progress.total else self.WIDTH
        self.stream.write(
            f"\r[{'#' * filled}{'·' * (self.WIDTH - filled)}] {progress.done}/{progress.total} objects, "
            f"{progress.changed} changed, batch {progress.batch}, {progress.seconds:.1f} s",
            ending="",
        )
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    help = "Update warning colours and escalation levels of every open deadline, and print what changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="Sweep as of this moment (ISO 8601 with offset, e.g. 2026-12-05T09:00:00+08:00); default: now.",
        )
        parser.add_argument(
            "--batch-size",
            dest="batch_size",
            type=int,
            default=BATCH_SIZE,
            help=f"Objects per transaction (default {BATCH_SIZE}); users wait on the sweep at most one batch.",
        )

    def handle(self, *args, **options):
        as_of = parse_as_of(options["as_of"]) if options["as_of"] else timezone.now()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size: at least 1.")
        # The bar goes to stderr, and only on a terminal: stdout stays the list of changes.
        bar = ProgressBar(self.stderr) if self.stderr.isatty() else None
        try:
            report = sweep_deadlines(as_of=as_of, batch_size=options["batch_size"], progress=bar)
        finally:
            if bar is not None:
                bar.close()
        stamp = timezone.localtime(as_of).isoformat()
        if report.skipped:
            self.stdout.write(f"Another sweep is running; nothing done as of {stamp}.")
            return
        for change in report.changes:
            self.stdout.write(change.describe())
        self.stdout.write(
            f"Swept as of {stamp}: {len(report.changes)} changed, {report.escalations} escalation step(s)."
        )

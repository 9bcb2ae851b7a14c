"""``manage.py verify_audit``: verify the transition log (keyed chains, signed checkpoints, the
objects' states); exit 1 naming the first problem, otherwise sign a new checkpoint."""

from django.core.management.base import BaseCommand, CommandError

from workflows.audit import verify_log, write_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the transition log: every row's signature and chain link, the signed checkpoints "
        "(rows or whole chains deleted), and every logged object's state against its last log row. "
        "Fails naming the first problem; when intact, signs a new checkpoint."
    )

    def handle(self, *args, **options):
        result = verify_log()
        if not result.intact:
            for problem in result.problems:
                self.stderr.write(f"PROBLEM {problem}")
            raise CommandError(
                f"Transition log is not intact: {len(result.problems)} problem(s); first problem: {result.problems[0]}",
                returncode=1,
            )
        covered = result.checkpoint
        self.stdout.write(self.style.SUCCESS(f"Transition log intact: {result.rows} row(s) verified."))
        if covered is not None:
            self.stdout.write(
                f"Matches checkpoint {covered.pk} (rows up to {covered.position}, {covered.at:%Y-%m-%d %H:%M:%S} UTC)."
            )
        checkpoint = write_checkpoint()
        if checkpoint is not None:
            self.stdout.write(
                f"Signed checkpoint {checkpoint.pk}: {checkpoint.row_count} row(s) up to {checkpoint.position}."
            )

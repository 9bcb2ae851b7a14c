from django.core.management.base import BaseCommand, CommandError

from organization.models import Unit, User

from ...excel import ExcelImportError, import_list, list_month_from_text
from ...services.generation import unit_leader


class Command(BaseCommand):
    help = "Import a monthly list from an .xlsx file (one row per item); nothing is imported if a row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", type=int, required=True, help="unit id")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--actor", help="username recorded as creator (default: the unit's first leader)")

    def handle(self, *args, file, unit, month, actor=None, **options):
        try:
            target_unit = Unit.objects.get(pk=unit)
        except Unit.DoesNotExist as exc:
            raise CommandError(f"No unit with id {unit}.") from exc
        try:
            target_month = list_month_from_text(month)
        except ValueError as exc:
            raise CommandError(f"--month {month!r}: {exc}") from exc
        if actor:
            user = User.objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user {actor!r}.")
        else:
            user = unit_leader(target_unit)
        try:
            with open(file, "rb") as handle:
                lst = import_list(file=handle, unit=target_unit, month=target_month, actor=user)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        except ExcelImportError as exc:
            raise CommandError(f"{file}: nothing imported.\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(f"Imported into list {lst.pk} ({lst.title}): {lst.items.count()} items.")

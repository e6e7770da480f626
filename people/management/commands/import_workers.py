from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from people.services import import_workers


class Command(BaseCommand):
    help = "Import workers from a CSV or XLSX roster (all rows or none; upsert by employee number)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-user",
            required=True,
            help="Username of the admin doing the import (their jurisdiction and the audit log).",
        )

    def handle(self, *args, file: Path, as_user: str, **options):
        try:
            acting_user = get_user_model().objects.get(username=as_user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {as_user!r}") from exc
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        with file.open("rb") as fh:
            report = import_workers(fh, file.name, acting_user=acting_user)
        if report.file_error:
            raise CommandError(report.file_error)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was imported: %(count)s problems.") % {"count": len(report.problems)}
            )
        self.stdout.write(
            _("Import complete: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run makemessages for zh_Hans inside each project app, so every app keeps its own "
        "<app>/locale/zh_Hans/LC_MESSAGES/django.po (its code and its templates)."
    )

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="App labels (default: all project apps)")

    def handle(self, *args, apps=None, **options):
        base = Path(settings.BASE_DIR)
        labels = apps or settings.PROJECT_APPS
        for label in labels:
            app_dir = base / label.replace(".", "/")
            (app_dir / "locale").mkdir(exist_ok=True)
            cwd = os.getcwd()
            try:
                os.chdir(app_dir)
                # A sub-app (assessments.simulations, certification.hr) keeps its own catalogue.
                ignore = [
                    f"{other.split('.', 1)[1]}/*"
                    for other in settings.PROJECT_APPS
                    if other.startswith(f"{label}.")
                ]
                call_command(
                    "makemessages", locale=["zh_Hans"], ignore_patterns=ignore, verbosity=0
                )
                call_command(
                    "makemessages",
                    locale=["zh_Hans"],
                    domain="djangojs",
                    ignore_patterns=ignore,
                    verbosity=0,
                )
            finally:
                os.chdir(cwd)
            self.stdout.write(f"{label}: {app_dir / 'locale'}")

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms import demo as site_demo


class Command(BaseCommand):
    help = (
        "Load the demo data (idempotent: a second run changes nothing). Each app adds its part "
        "in <app>/demo.py; they run in dependency order. Refused under production settings."
    )

    def handle(self, *args, **options):
        if not settings.GA_ALLOW_DEMO_DATA:
            raise CommandError(
                "seed_demo is refused under these settings: demo accounts share a public password."
            )
        with transaction.atomic():
            site_demo.seed(stdout=self.stdout)
            for label in settings.PROJECT_APPS:
                name = f"{label}.demo"
                if label != "lms" and find_spec(name) is not None:
                    import_module(name).seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Password of every demo account: grid-demo-2026")
        )

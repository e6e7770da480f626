from django.core.management.base import BaseCommand

from casebank.search import rebuild_index
from casebank.setup import setup_case_library


class Command(BaseCommand):
    help = (
        "Create the case library at /cases/, the 「案例审核」 review workflow and the trainer and "
        "reviewer permissions (idempotent), then rebuild the Chinese search index."
    )

    def handle(self, *args, **options):
        index = setup_case_library()
        count = rebuild_index()
        self.stdout.write(f"casebank: library at {index.url_path}, {count} live cases indexed")

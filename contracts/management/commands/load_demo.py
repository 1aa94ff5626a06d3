from django.core.management.base import BaseCommand

from contracts.demo import load


class Command(BaseCommand):
    help = "Load a fictional province's agencies, partners, agreements, datasets, grants and responsibilities (idempotent)."

    def handle(self, *args, **options):
        load(log=lambda message: self.stdout.write(message))
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Users: officer, partner, partner2, supervisor, auditor, admin "
                               "(password demo-pass-2026).")
        )  # fmt: skip

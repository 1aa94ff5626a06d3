from django.core.management.base import BaseCommand, CommandError

from partnerships.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain and the recorded heads. Exits non-zero, "
        "naming the first broken entry, when an entry was altered, deleted or the tail cut."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Audit trail broken: {report.broken}", returncode=1)
        self.stdout.write(f"Audit trail intact: {report.checked} entries, head seq={report.last_seq} hash={report.last_hash}")

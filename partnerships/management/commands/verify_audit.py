from django.core.management.base import BaseCommand, CommandError

from partnerships.audit.verify import verify_chain


class AuditTrailBroken(CommandError, SystemExit):
    """manage.py prints a CommandError and exits 1; raised through call_command it is
    also a SystemExit(1), so a caller expecting either sees the failure."""

    def __init__(self, message: str):
        super().__init__(message, returncode=1)
        self.code = 1


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain and the recorded heads. Exits non-zero, "
        "naming the first broken entry, when an entry was altered, deleted or the tail cut."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise AuditTrailBroken(f"Audit trail broken: {report.broken}")
        self.stdout.write(f"Audit trail intact: {report.checked} entries, head seq={report.last_seq} hash={report.last_hash}")

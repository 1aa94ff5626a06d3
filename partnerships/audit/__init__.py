"""The audit trail: every write made through a service, and every login, as a hash chain.

- Services call ``audit_record`` as their last statement, inside their own
  transaction, so an entry exists exactly when the change it describes does.
- Each entry's hash is sha256(previous hash + canonical JSON of the entry), and
  ``seq`` is its primary key, so every column is covered (canonical.py).
- PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the trail (migration 0003).
  Give the application's database role no right to disable triggers.
- ``manage.py verify_audit`` walks the chain and names the first altered, deleted
  or missing entry; the daily ``partnerships.record_audit_head`` task records the
  head (in the database and in the log), so a cut tail is caught too.
- What a chain cannot show on its own: someone able to recompute every hash after
  the last recorded head. The head in the log, outside the database, bounds that.
"""

from partnerships.audit.chain import audit_record, audit_record_after_commit
from partnerships.audit.context import current_request_id

__all__ = ["audit_record", "audit_record_after_commit", "current_request_id"]

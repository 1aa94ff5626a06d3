"""The audit trail: every write made through a service, and every login, as a hash chain.

Services call ``audit_record`` as their last statement, inside their own
transaction, so an entry exists exactly when the change it describes does.
"""

from partnerships.audit.chain import audit_record
from partnerships.audit.context import current_request_id

__all__ = ["audit_record", "current_request_id"]

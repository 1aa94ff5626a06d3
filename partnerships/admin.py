from partnerships.audit import admin as audit_admin  # noqa: F401  (read-only audit trail)

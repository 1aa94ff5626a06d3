# One admin module per area.
from contracts.admin import agreements, grant_requests, grants  # noqa: F401

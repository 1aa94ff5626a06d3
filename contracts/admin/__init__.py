# One admin module per area.
from contracts.admin import agreements, grants  # noqa: F401

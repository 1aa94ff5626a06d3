"""How serious an alert is, from its kind and the data it touches (DESIGN section 5).

| kind                                                      | base     |
|-----------------------------------------------------------|----------|
| recipient_not_approved, dataset_not_permitted, dead_letter | critical |
| action_not_permitted, purpose_not_permitted, quota_exceeded,
  outside_validity, permission_inactive, agreement_inactive,
  undeclared_usage, responsibility_gap, channel_disabled     | warning  |
| declaration_missing, permission_expiring, agreement_expiring | info   |

Then, for use of data: ``important`` grade or ``personal`` information raises one step;
``core`` grade or ``sensitive`` personal information is always critical.
"""

from notifications.codes import SEVERITY_ORDER, VIOLATION_KINDS

BASE = {
    "recipient_not_approved": "critical",  # data already left for an organization nobody approved
    "dataset_not_permitted": "critical",  # no grant at all: the case the product exists for
    "dead_letter": "critical",
    "declaration_missing": "info",
    "permission_expiring": "info",
    "agreement_expiring": "info",
}


def _raise(severity: str) -> str:
    return SEVERITY_ORDER[min(SEVERITY_ORDER.index(severity) + 1, len(SEVERITY_ORDER) - 1)]


def severity_for(kind: str, *, grade: str | None = None, personal_info: str | None = None) -> str:
    severity = BASE.get(kind, "warning")
    if kind not in VIOLATION_KINDS:
        return severity
    if grade == "core" or personal_info == "sensitive":
        return "critical"
    if grade == "important" or personal_info == "personal":
        return _raise(severity)
    return severity

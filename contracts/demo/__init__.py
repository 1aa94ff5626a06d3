"""Demo data: a fictional province (region 33xxxx) with its agencies, partners, agreements,
datasets, grants and responsibilities, built through the services so that versions and
transitions exist as if people had worked for two years.

Every step finds what an earlier run made before making it, so loading twice changes nothing.
Later steps (declarations, alerts) append to ``STEPS``.
"""

from django.db import transaction

from contracts.demo import agreements, catalogue, duties, grants, parties

STEPS = [
    ("organizations and users", parties.load),
    ("datasets", catalogue.load),
    ("agreements", agreements.load),
    ("grants", grants.load),
    ("responsibilities", duties.load),
    ("closing agreements", agreements.close),
]


@transaction.atomic
def load(log=lambda message: None) -> None:
    for label, step in STEPS:
        log(f"Loading {label}...")
        step()

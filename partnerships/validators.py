"""Validators for Chinese public identifiers.

The Unified Social Credit Code (GB 32100-2015) is 18 characters from a 31-symbol
alphabet without I, O, Z, S, V. Characters 9-17 embed the organization code of
GB 11714, whose 9th character is a mod-11 check; the 18th is a mod-31 check over
the first 17. We verify both, so a single typo anywhere is caught.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# [0-9], not \d: \d also matches full-width and other scripts' digits ("３").
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# First two digits of GB/T 2260 codes: provinces, autonomous regions, municipalities, SARs.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value: str) -> None:
    if not isinstance(value, str) or not _CREDIT_RE.match(value):
        raise ValidationError(
            _("A Unified Social Credit Code is 18 characters: digits and capital letters except I, O, Z, S, V."),
            code="credit_code_format",
        )
    if org_code_check_character(value[8:16]) != value[16]:
        raise ValidationError(
            _("The organization-code check character (17th) does not match; please check the code."),
            code="credit_code_check",
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character (18th) does not match; please check the code."),
            code="credit_code_check",
        )


def make_credit_code(prefix: str, region_code: str, org_body: str) -> str:
    """Build a valid code from its parts (used by demo data and tests)."""
    org = org_body[:8]
    first17 = f"{prefix}{region_code}{org}{org_code_check_character(org)}"
    return first17 + credit_code_check_character(first17)


def validate_region_code(value: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{6}", value):
        raise ValidationError(_("A region code is 6 digits (GB/T 2260)."), code="region_code_format")
    if value[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _("%(prefix)s is not a province-level division code."), params={"prefix": value[:2]}, code="region_code_province"
        )


def jurisdiction_prefix(region_code: str) -> str:
    """330000 covers all of 33xxxx, 330100 covers 3301xx, 330102 only itself."""
    prefix = region_code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix

import pytest
from django.core.exceptions import ValidationError

from partnerships.validators import jurisdiction_prefix, make_credit_code, validate_credit_code, validate_region_code


def test_published_example_code_is_valid():
    validate_credit_code("91350100M000100Y43")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong 18th check character
        "91350100M000101Y43",  # one digit changed: both checks fail
        "91350100M00010OY43",  # letter O is not in the alphabet
        "91350100M000100Y4",  # too short
        "91350100m000100y43",  # lower case
        "",
    ],
)
def test_bad_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_made_codes_validate():
    validate_credit_code(make_credit_code("91", "330100", "12345678"))


@pytest.mark.parametrize("code", ["33000", "3300001", "990000", "abcdef"])
def test_bad_region_codes(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)


@pytest.mark.parametrize(
    ("region", "prefix"), [("330000", "33"), ("330100", "3301"), ("330102", "330102"), ("110000", "11")]
)
def test_jurisdiction_prefix(region, prefix):
    assert jurisdiction_prefix(region) == prefix

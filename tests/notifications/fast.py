"""Import ``fast_passwords`` into a test module to hash persona passwords cheaply (tests only)."""

import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

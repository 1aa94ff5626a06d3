"""Fuzz every operation of the OpenAPI schema, as each persona (issue 7, part 1).

Schemathesis generates requests from the schema the app serves (valid and invalid
bodies, query strings and path values) and sends them through the WSGI application.
Every answer must be a non-5xx, with a status code the schema documents, in the
content type it documents, matching the documented body. Where it did not, the schema
or the code was fixed, never this test.

Each generated request is sent once per persona, and once more with the path naming
a real object of the persona's own tenant (fuzzed ids are nearly always 404s, which
would leave the object code untested).
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_isolation_matrix import RESOURCES, THINGS, Tenant, _build

# Examples per operation; each is sent as one persona drawn with it, and once more at a
# real object of the persona's tenant when the path names one. 20 keeps the whole run
# near a minute on a 2-core machine (about 30 ms a request through the middleware).
MAX_EXAMPLES = 20
PERSONAS = ("officer", "partner", "other_partner", "supervisor", "auditor", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _openapi() -> dict:
    """The document /api/schema/ serves, built without a request."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


# Built at collection (schemathesis's lazy from_fixture loader does not run under this pytest).
schema = schemathesis.openapi.from_dict(_openapi())
schema.app = WSGIHandler()


@pytest.fixture
def fuzz_setup(world, settings_override):
    tokens = {p: Token.objects.create(user=getattr(world, p)).key for p in PERSONAS}
    return {"tokens": tokens, "home": Tenant(world.agreement, world.officer)}


@pytest.fixture
def settings_override(settings, tmp_path):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.MEDIA_ROOT = str(tmp_path)
    # Thousands of requests a minute from a few people: the throttles would answer 429 to the fuzzer.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    # The WSGI handler closes the connection after each request, as a server would; inside the
    # test's transaction that would throw the transaction away (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield settings
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_path_parameters(case, home: Tenant) -> dict | None:
    """The case's path values replaced by objects of the home tenant, when the matrix knows the route."""
    if not case.path_parameters:
        return None
    template = case.operation.path.lstrip("/").replace("{id}", "{pk}")
    resource = template[: template.rindex("}") + 1]
    mapping = RESOURCES.get(resource)
    if mapping is None:
        return None
    names = {param if param != "pk" else "id": name for param, name in mapping.items()}
    if set(names) != set(case.path_parameters):
        return None
    _build(home, names.values())
    return {param: THINGS[name].value(home.things[name]) for param, name in names.items()}


@pytest.mark.django_db
@schema.parametrize()
@schema.given(persona=st.sampled_from(PERSONAS))
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_documented(case, persona, fuzz_setup):
    headers = {"Authorization": f"Token {fuzz_setup['tokens'][persona]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
    real = _real_path_parameters(case, fuzz_setup["home"])
    if real is not None:
        case.path_parameters = real
        case.call_and_validate(headers=headers, checks=CHECKS)

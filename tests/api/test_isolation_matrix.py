"""Tenant isolation, generated from the URL configuration (DESIGN section 2: a foreign
object is answered with 404, never with its content, on every endpoint and page).

Every route that names an object (an id, a number, a code in its path) is called with
another tenant's object, by each persona, with every method the route offers. The answer
must be a refusal that says nothing about the object: 404, or 403/405 only when the same
request for an object that does not exist is refused the same way (a refusal by role, not
by object). The response must not carry the object's reference, and the object and every
table must be unchanged afterwards (row counts everywhere; every row's content on PostgreSQL).
Pages are posted forms, the API JSON; a page's words in the path (the alert page's answers)
are each tried, and a foreign child is also asked for under a parent the persona does see.

New routes are covered without anyone remembering: the walk finds them, and
``test_every_object_route_is_known`` fails when a route names a parameter that
``RESOURCES`` below does not map to a foreign object.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import GrantRequest, GrantRequestAttachment, UsageDeclaration
from contracts.services.agreement_parts import document_attach, milestone_add, phase_set
from contracts.services.agreements import agreement_amend
from notifications.views.alerts import ANSWERS as ALERT_ANSWERS
from partnerships.actors import actor_for
from partnerships.models import AuditEntry, Partnership
from tests import factories as f

# ---------------------------------------------------------------------------------------------
# The routes, as the URL configuration has them.

GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()\\]|\\.|\[[^\]]*\])*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")

# Whole areas that are not tenant data, with the reason.
SKIPPED_PREFIXES = {
    "admin/": "Django admin: only staff reach it, and it is tested in test_admin_pages.py",
    "api/schema": "the schema is public",
    "api/docs": "the schema is public",
    "i18n/": "language switch, no object",
}


@dataclass
class Route:
    template: str  # e.g. "api/v1/agreements/{agreement_id}/milestones/{pk}/"
    pattern: URLPattern
    params: tuple

    @property
    def resource(self) -> str:
        """The template up to its last parameter: every action under one object shares it."""
        return self.template[: self.template.rindex("}") + 1]

    def url(self, values: dict) -> str:
        return "/" + self.template.format(**values)

    @property
    def methods(self) -> list[str]:
        callback = self.pattern.callback
        actions = getattr(callback, "actions", None)
        if actions:  # a DRF viewset route: exactly the methods it maps
            return sorted(m for m in actions if m not in ("head", "options"))
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is not None:
            return sorted(
                m
                for m in view_class.http_method_names
                if m not in ("head", "options", "trace") and hasattr(view_class, m)
            )
        return ["get", "post"]  # a function view: it may take either; a 405 is checked like any refusal


def _template(piece) -> str:
    text = str(piece.pattern)
    if isinstance(piece.pattern, RegexPattern):
        text = GROUP.sub(lambda m: "{" + m.group(1) + "}", text)
        text = text.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\", "")
    else:
        text = CONVERTER.sub(lambda m: "{" + m.group(1) + "}", text)
    return text


def walk(patterns=None, prefix: str = ""):
    for piece in get_resolver().url_patterns if patterns is None else patterns:
        template = prefix + _template(piece)
        if isinstance(piece, URLResolver):
            yield from walk(piece.url_patterns, template)
        else:
            yield template, piece


@functools.cache  # the URL configuration does not change during a run
def object_routes() -> tuple[Route, ...]:
    routes = []
    for template, pattern in walk():
        if any(template.startswith(p) for p in SKIPPED_PREFIXES):
            continue
        params = tuple(re.findall(r"\{(\w+)\}", template))
        if params:
            routes.append(Route(template, pattern, params))
    return tuple(routes)


# ---------------------------------------------------------------------------------------------
# What each parameter names, and how to build one in a tenant the persona must not see.


@dataclass
class Tenant:
    """One agreement with everything that hangs off it, managed by `officer`."""

    agreement: object
    officer: object
    own_agreement: object = None  # one the persona does see, to pair with a foreign child
    things: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Thing:
    build: Callable  # (tenant) -> object
    value: Callable = lambda obj: obj.pk  # the path value naming it
    missing: object = 2_147_480_000  # a path value naming nothing
    global_id: bool = True  # False when the value only means something under its parent


def _amendment(t):
    return agreement_amend(
        actor=actor_for(t.officer),
        agreement=t.agreement,
        rationale="Matrix amendment",
        effective_on=timezone.localdate(),
        changes={"title": t.agreement.title + " (amended)"},
    )


def _phase(t):
    return phase_set(actor=actor_for(t.officer), agreement=t.agreement, kind="build")[0]


def _milestone(t):
    return milestone_add(
        actor=actor_for(t.officer),
        agreement=t.agreement,
        title="Matrix milestone",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        responsible=t.agreement.partner,
    )


def _document(t):
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    return document_attach(actor=actor_for(t.officer), agreement=t.agreement, uploaded=upload, title="Signed")


def _built(t, name):
    _build(t, [name])
    return t.things[name]


def _grant(t):
    dataset = f.dataset(f"MATRIX-{t.agreement.pk}", t.agreement.government)
    return f.grant(t.officer, t.agreement, dataset)


def _responsibility(t):
    return f.assign(t.officer, t.agreement, "data_security", t.agreement.partner)


def _declaration(t):
    # Stored as ingestion stores it: the far tenant has no partner account to submit through the API.
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return UsageDeclaration.objects.create(
        agreement=t.agreement,
        dataset=_built(t, "grant").dataset,
        period_start=end.replace(day=1),
        period_end=end,
        purpose="ImprovePublicServices",
        actions=["read"],
        record_count=10,
        submitted_by=t.officer,
    )


def _alert(t):
    from notifications.models import Alert  # notifications sits above contracts

    a = t.agreement
    return Alert.objects.create(
        dedup_key=f"matrix:{a.pk}", kind="purpose_not_permitted", severity="warning", agreement=a,
        dataset=_built(t, "grant").dataset, government=a.government, partner=a.partner, summary=f"Matrix {a.reference}",
    )  # fmt: skip


def _notification(t):
    from notifications.models import Notification

    alert = _built(t, "alert")
    return Notification.objects.create(
        key=f"matrix:{alert.pk}:{t.officer.pk}", alert=alert, user=t.officer, reason="raised", subject="Matrix"
    )


def _channel(t):
    from notifications.models import Channel

    return Channel.objects.create(owner=t.officer, kind="email", name="Matrix", target=f"{t.officer.username}@example.test")


def _silence(t):
    from notifications.models import Silence

    now = timezone.now()
    return Silence.objects.create(
        matchers={"agreement": t.agreement.pk}, starts_at=now, ends_at=now + datetime.timedelta(days=1),
        author=t.officer, reason="Matrix", region_prefix=t.agreement.government.region_code[:2],
    )  # fmt: skip


def _request(agreement, dataset, user):
    # Stored directly, like the declaration: the far tenant has no partner account to ask through.
    return GrantRequest.objects.create(
        agreement=agreement, dataset=dataset, kind="new", justification="Matrix", submitted_by=user,
        actions=["read"], purposes=["PublicBenefit"], valid_from=timezone.now(),
    )  # fmt: skip


def _grant_request(t):
    return _request(t.agreement, _built(t, "grant").dataset, t.officer)


def _own_grant_request(t):
    """A request under the persona's own agreement, to pair with a foreign attachment."""
    own = t.own_agreement
    return _request(own, f.dataset(f"MATRIX-OWN-{own.pk}", own.government), t.officer)


def _grant_request_attachment(t):
    content = b"%PDF-1.4 matrix"
    return GrantRequestAttachment.objects.create(
        request=_built(t, "grant_request"), title="Matrix", size=len(content), sha256="0" * 64,
        file=SimpleUploadedFile("why.pdf", content, content_type="application/pdf"), uploaded_by=t.officer,
    )  # fmt: skip


def _audit_entry(t):
    """The trail's entry for the tenant's agreement, made for its government party."""
    return AuditEntry.objects.filter(organization=t.agreement.government).latest("seq")


def _partnership(t):
    return Partnership.objects.create(
        name=f"Matrix partnership {t.agreement.pk}", government=t.agreement.government, partner=t.agreement.partner
    )


THINGS = {
    "agreement": Thing(lambda t: t.agreement),
    "agreement_by_reference": Thing(lambda t: t.agreement, value=lambda a: a.reference, missing="NO-SUCH-REF"),
    "own_agreement": Thing(lambda t: t.own_agreement),
    "amendment": Thing(_amendment, value=lambda v: v.number, global_id=False),
    "phase": Thing(_phase, value=lambda p: p.kind, missing="build", global_id=False),
    "milestone": Thing(_milestone),
    "document": Thing(_document),
    "grant": Thing(_grant),
    "dataset": Thing(lambda t: _built(t, "grant").dataset),
    "responsibility": Thing(_responsibility),
    "partnership": Thing(_partnership),
    "declaration": Thing(_declaration),
    "alert": Thing(_alert),
    "notification": Thing(_notification),
    "channel": Thing(_channel),
    "silence": Thing(_silence),
    "user": Thing(lambda t: t.officer),
    "grant_request": Thing(_grant_request),
    "own_grant_request": Thing(_own_grant_request),
    "grant_request_attachment": Thing(_grant_request_attachment),
    "audit_entry": Thing(_audit_entry, value=lambda entry: entry.seq),
}


def _word(word: str) -> Thing:
    """Not an object: a word in the path (the alert page's answer), asked of a foreign object."""
    return Thing(lambda t: word, value=lambda w: w, missing=word, global_id=False)


# Every answer the alert page knows, and one it does not (the alert is looked up first either way).
ANSWER_WORDS = (*ALERT_ANSWERS, "no-such-answer")
THINGS.update({f"answer:{word}": _word(word) for word in ANSWER_WORDS})

# resource template -> {parameter: thing}. A new parametrised route whose resource is not
# here fails test_every_object_route_is_known: add what its parameters name.
RESOURCES = {
    "api/v1/users/{pk}": {"pk": "user"},
    "api/v1/partnerships/{pk}": {"pk": "partnership"},
    "api/v1/agreements/{pk}": {"pk": "agreement"},
    "api/v1/agreements/{agreement_id}": {"agreement_id": "agreement"},
    "api/v1/agreements/{agreement_id}/amendments/{number}": {"agreement_id": "agreement", "number": "amendment"},
    "api/v1/agreements/{agreement_id}/phases/{kind}": {"agreement_id": "agreement", "kind": "phase"},
    "api/v1/agreements/{agreement_id}/milestones/{pk}": {"agreement_id": "agreement", "pk": "milestone"},
    "api/v1/agreements/{agreement_id}/documents/{pk}": {"agreement_id": "agreement", "pk": "document"},
    "api/v1/datasets/{pk}": {"pk": "dataset"},
    "api/v1/permissions/{pk}": {"pk": "grant"},
    "api/v1/responsibilities/{pk}": {"pk": "responsibility"},
    "api/v1/declarations/{pk}": {"pk": "declaration"},
    "api/v1/alerts/{pk}": {"pk": "alert"},
    "api/v1/notifications/{pk}": {"pk": "notification"},
    "api/v1/channels/{pk}": {"pk": "channel"},
    "api/v1/silences/{pk}": {"pk": "silence"},
    "api/v1/audit/{seq}": {"seq": "audit_entry"},
    "api/v1/grant-requests/{pk}": {"pk": "grant_request"},
    "api/v1/grant-requests/{pk}/attachments/{attachment_id}": {
        "pk": "grant_request",
        "attachment_id": "grant_request_attachment",
    },
    # Pages
    "agreements/{pk}": {"pk": "agreement"},
    "grants/{pk}": {"pk": "grant"},
    "declarations/{pk}": {"pk": "declaration"},
    "alerts/{pk}": {"pk": "alert"},
    "alerts/{pk}/{answer}": {"pk": "alert", "answer": f"answer:{ANSWER_WORDS[0]}"},
    "channels/{pk}": {"pk": "channel"},
    "grant-requests/{pk}": {"pk": "grant_request"},
    "grant-requests/{pk}/attachments/{attachment_id}": {
        "pk": "grant_request",
        "attachment_id": "grant_request_attachment",
    },
}

# Objects that are not any tenant's: everyone signed in reads them, by design.
PUBLIC = {
    "api/v1/organizations/{pk}": "organizations are the public registry of parties (partnerships/selectors.py)",
    "api/v1/escalation-policies/{pk}": "escalation policies are deployment-wide settings with no region; "
    "every supervisor and auditor reads them (notifications/selectors.py)",
}

# Other values a resource's routes are called with too, on each route that takes them:
# a code where an id is also accepted, every answer of the alert page.
VARIANTS = {
    "api/v1/agreements/{pk}": [{"pk": "agreement_by_reference"}],
    "alerts/{pk}/{answer}": [{"pk": "alert", "answer": f"answer:{word}"} for word in ANSWER_WORDS[1:]],
}

# Routes that name an object in the query or the body, not the path: the walk cannot see
# those references, so they are listed. Each {name} is a THINGS entry; the request is made
# with the foreign object and with nothing, and the two answers must be the same refusal.
BY_REFERENCE = [
    ("get", "grant-requests/new/?agreement={agreement}", {}),
    ("post", "grant-requests/new/", {"agreement": "{agreement}", "justification": "Matrix"}),
    ("get", "grant-requests/new/?permission={grant}", {}),
    ("post", "grant-requests/new/", {"permission": "{grant}", "justification": "Matrix"}),
    ("post", "api/v1/grant-requests/", {"agreement": "{agreement}", "kind": "new", "dataset": "{dataset}", "justification": "Matrix"}),
    # A change to a foreign grant, asked under an agreement the persona does see.
    ("post", "api/v1/grant-requests/", {"agreement": "{own_agreement}", "kind": "change", "permission": "{grant}", "justification": "Matrix"}),
]  # fmt: skip

# A parent the persona does see, to pair with a foreign child (/agreements/<mine>/milestones/<theirs>/).
OWN_PARENTS = {"agreement": "own_agreement", "grant_request": "own_grant_request"}


# ---------------------------------------------------------------------------------------------
# Who asks, and whose objects they must not reach.

PERSONAS = {
    # persona -> the tenants foreign to them (see tests/personas.py)
    "officer": ("far",),
    "supervisor": ("far",),
    "auditor": ("far",),
    "partner": ("far", "neighbour"),
    "other_partner": ("home",),
    "far_officer": ("home",),
    "nobody": ("home",),  # signed in, holds no role anywhere
    "city_officer": ("home",),  # an officer of another agency in the same province
}
CASES = [(persona, tenant) for persona, tenants in PERSONAS.items() for tenant in tenants]

# A write body that gets past any validation that does not depend on the object,
# so a refusal comes from the object lookup and not from a missing field.
WRITE_BODY = {"reason": "Matrix", "comment": "Matrix", "rationale": "Matrix", "title": "Matrix", "status": "met"}
COUNTED_APPS = ("partnerships", "contracts", "notifications")


# Who may reach each thing in its own tenant: the officer who manages it, unless named here.
KEEPERS = {"silence": "supervisor", "audit_entry": "auditor"}


def _tenants(world) -> dict:
    return {
        "far": Tenant(world.far_agreement, world.far_officer),
        "neighbour": Tenant(world.other_agreement, world.officer),
        "home": Tenant(world.agreement, world.officer),
    }


def _persona(world, persona):
    """The world's people, and two the matrix alone needs."""
    if persona == "nobody":
        return f.user("nobody")
    if persona == "city_officer":
        # Officers see what their agency is party to, not their whole province.
        city_bureau = f.organization("市数据资源局 City Data Bureau", "government", "330100")
        return f.user("city_officer", (city_bureau, "officer"))
    return getattr(world, persona)


def _own_agreement(world, persona):
    return {
        "other_partner": world.other_agreement,
        "far_officer": world.far_agreement,
        "nobody": None,
        "city_officer": None,
    }.get(persona, world.agreement)


def _build(tenant: Tenant, names) -> None:
    for name in names:
        if name not in tenant.things:
            tenant.things[name] = THINGS[name].build(tenant)


def _snapshot(objects: dict) -> dict:
    rows = {}
    for name, obj in objects.items():
        # A path value that names no row; or PostgreSQL, where every table's digest covers the rows.
        if not hasattr(obj, "pk") or connection.vendor == "postgresql":
            continue
        rows[name] = type(obj).objects.filter(pk=obj.pk).values().first()  # every column, editable or not
    return {"rows": rows, "counts": _tables()}


def _tables() -> dict:
    """Every table's row count, and on PostgreSQL a digest of all its rows too (a write to a
    row the route does not name, such as a foreign agreement's phase, shows there), in one
    round trip: the matrix makes thousands of calls."""
    models = [
        m for m in apps.get_models(include_auto_created=True)  # many-to-many tables too
        if m._meta.app_label in COUNTED_APPS and m._meta.managed
    ]  # fmt: skip
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        digest = "COUNT(*) || ':' || COALESCE(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '')"
    else:
        digest = "COUNT(*)"
    sql = "SELECT " + ", ".join(f"(SELECT {digest} FROM {quote(m._meta.db_table)} t)" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip((m._meta.label for m in models), cursor.fetchone()))


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)  # pages use the session
    client.force_authenticate(user)  # the API's views, without a token round trip
    return client


def _call(client, method: str, url: str):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    # Pages read forms, the API reads JSON: each gets a body it can parse.
    body_format = "json" if url.startswith("/api/") else "multipart"
    return getattr(client, method)(url, WRITE_BODY, format=body_format)


def _markers(tenant: Tenant) -> list[str]:
    """Text that only the foreign object's own pages would show."""
    return [tenant.agreement.reference]


def _takes(route: Route, mapping: dict) -> bool:
    """Some routes under a resource that takes codes still take ids only (an <int:pk> route)."""
    values = {param: THINGS[name].missing for param, name in mapping.items()}
    try:
        return resolve(route.url(values)).func is route.pattern.callback
    except Resolver404:
        return False


def _mappings(route: Route, with_own_parent: bool = False) -> list[dict]:
    """All-foreign values; the resource's variants where the route takes them; and a foreign
    child under a parent the persona does see (/agreements/<mine>/milestones/<theirs>/)."""
    mapping = RESOURCES[route.resource]
    mappings = [mapping] + [v for v in VARIANTS.get(route.resource, []) if _takes(route, v)]
    if with_own_parent:
        mappings += _under_own_parent(mapping)
    return mappings


def _under_own_parent(mapping: dict) -> list[dict]:
    out = []
    for param, name in mapping.items():
        children = [child for p, child in mapping.items() if p != param]
        # Only a child named by a global id can be asked for under another parent.
        if name in OWN_PARENTS and children and all(THINGS[child].global_id for child in children):
            out.append({**mapping, param: OWN_PARENTS[name]})
    return out


def _check(route, method, mapping, tenant, client) -> str | None:
    """None when the foreign object stays hidden and unchanged, else what leaked."""
    objects = {name: tenant.things[name] for name in mapping.values()}
    values = {param: THINGS[name].value(objects[name]) for param, name in mapping.items()}
    url = route.url(values)
    assert resolve(url).func is route.pattern.callback, f"{url} does not reach {route.template}"
    # The same request naming nothing: only the foreign values change, a parent of one's own stays.
    missing_url = route.url(
        {p: values[p] if n in OWN_PARENTS.values() else THINGS[n].missing for p, n in mapping.items()}
    )

    before = _snapshot(objects)
    response = _call(client, method, url)
    after = _snapshot(objects)

    status = response.status_code
    label = f"{method.upper()} {url}"
    if status != 404:
        missing = _call(client, method, missing_url).status_code
        if not (status in (403, 405) and status == missing):
            return f"{label}: {status} (an object that does not exist: {missing})"
    body = response.content.decode("utf-8", "replace")
    for marker in _markers(tenant):
        if marker in body:
            return f"{label}: the answer names {marker!r}"
    if before != after:
        return f"{label}: changed {_diff(before, after)}"
    return None


def _check_reference(method, path, body, tenant, client) -> str | None:
    """None when naming the foreign object is answered as naming nothing, else what leaked."""
    names = set(re.findall(r"\{(\w+)\}", path + str(body)))
    objects = {name: tenant.things[name] for name in names}
    values = {name: str(THINGS[name].value(obj)) for name, obj in objects.items()}
    missing = {name: values[name] if name in OWN_PARENTS.values() else str(THINGS[name].missing) for name in names}
    body_format = "json" if path.startswith("api/") else "multipart"

    def ask(filled: dict):
        data = {key: value.format(**filled) for key, value in body.items()}
        return getattr(client, method)("/" + path.format(**filled), data or None, format=body_format)

    before = _snapshot(objects)
    response = ask(values)
    after = _snapshot(objects)
    label = f"{method.upper()} /{path.format(**values)} {body}"
    refusal = ask(missing).status_code
    if response.status_code != refusal or response.status_code < 400:
        return f"{label}: {response.status_code} (naming nothing: {refusal})"
    if tenant.agreement.reference in response.content.decode("utf-8", "replace"):
        return f"{label}: the answer names {tenant.agreement.reference!r}"
    if before != after:
        return f"{label}: changed {_diff(before, after)}"
    return None


def _diff(before: dict, after: dict) -> list[str]:
    changed = [k for k in before["rows"] if before["rows"][k] != after["rows"][k]]
    changed += [k for k in before["counts"] if before["counts"][k] != after["counts"][k]]
    return changed


# ---------------------------------------------------------------------------------------------


def test_every_object_route_is_known():
    """A new route naming an object must say what it names, so the matrix can test it."""
    unknown = sorted(
        {
            r.template
            for r in object_routes()
            if r.resource not in RESOURCES and r.resource not in PUBLIC
        }
    )
    assert unknown == [], "add these routes' parameters to RESOURCES (or PUBLIC, with the reason)"


def test_every_mapping_names_the_route_parameters():
    for route in object_routes():
        for mapping in _mappings(route, with_own_parent=True) if route.resource in RESOURCES else []:
            assert set(mapping) == set(route.params), route.template
            assert set(mapping.values()) <= set(THINGS), route.template


def test_every_entry_names_a_route_that_exists():
    """A mapping left behind by a removed or renamed route would hide nothing, but it would
    make the lists above lie about what the matrix covers."""
    resources = {r.resource for r in object_routes()}
    for listed in (RESOURCES, PUBLIC, VARIANTS):
        assert set(listed) - resources == set()
    routes = [r for r in object_routes() if r.resource in VARIANTS]
    for resource, variants in VARIANTS.items():
        for variant in variants:
            assert any(r.resource == resource and _takes(r, variant) for r in routes), variant


def test_the_walk_finds_the_routes_it_must():
    """Guard the walk itself: it must see nested routers, actions and pages alike."""
    templates = {r.template for r in object_routes()}
    assert "api/v1/agreements/{pk}/" in templates
    assert "api/v1/agreements/{pk}/activate/" in templates
    assert "api/v1/agreements/{agreement_id}/milestones/{pk}/" in templates
    assert "api/v1/permissions/{pk}/revoke/" in templates
    assert "agreements/{pk}/edit/" in templates  # a page
    assert "alerts/{pk}/{answer}/" in templates  # a page with a parameter that is not an object
    assert "grant-requests/{pk}/attachments/{attachment_id}/" in templates
    assert "api/v1/grant-requests/{pk}/attachments/{attachment_id}/file/" in templates


@pytest.mark.django_db
@pytest.mark.parametrize("persona,tenant_name", CASES, ids=[f"{p}-vs-{t}" for p, t in CASES])
def test_foreign_objects_are_hidden_and_unchanged(world, settings, tmp_path, persona, tenant_name):
    settings.MEDIA_ROOT = str(tmp_path)
    user = _persona(world, persona)
    tenant = _tenants(world)[tenant_name]
    tenant.own_agreement = _own_agreement(world, persona)
    with_own_parent = tenant.own_agreement is not None
    routes = [r for r in object_routes() if r.resource in RESOURCES]
    for route in routes:
        for mapping in _mappings(route, with_own_parent):
            _build(tenant, mapping.values())
    client = _client(user)

    leaks, calls = [], 0
    for route in routes:
        for mapping in _mappings(route, with_own_parent):
            for method in route.methods:
                calls += 1
                problem = _check(route, method, mapping, tenant, client)
                if problem:
                    leaks.append(problem)
    assert calls > 0
    assert leaks == [], "\n".join(leaks)


@pytest.mark.django_db
def test_the_keeper_reaches_every_route(world, settings, tmp_path):
    """Guard the matrix itself: a 404 there means "foreign", not a path or an object the matrix
    built wrong. Whoever keeps the objects gets past the lookup on every route and method."""
    settings.MEDIA_ROOT = str(tmp_path)
    tenant = _tenants(world)["home"]
    routes = [r for r in object_routes() if r.resource in RESOURCES]
    calls = [(route, mapping, method) for route in routes for mapping in _mappings(route) for method in route.methods]
    for _, mapping, _ in calls:
        _build(tenant, mapping.values())
    clients = {persona: _client(getattr(world, persona)) for persona in {"officer", *KEEPERS.values()}}

    lost = []
    for route, mapping, method in sorted(calls, key=lambda call: call[2] == "delete"):  # deletes last
        values = {param: THINGS[name].value(tenant.things[name]) for param, name in mapping.items()}
        keeper = next((KEEPERS[name] for name in mapping.values() if name in KEEPERS), "officer")
        status = _call(clients[keeper], method, route.url(values)).status_code
        if status == 404 or status >= 500:
            lost.append(f"{keeper}: {method.upper()} {route.url(values)}: {status}")
    assert lost == [], "\n".join(lost)


@pytest.mark.django_db
@pytest.mark.parametrize("persona,tenant_name", CASES, ids=[f"{p}-vs-{t}" for p, t in CASES])
def test_foreign_objects_named_in_a_query_or_body_are_refused_as_missing(world, persona, tenant_name):
    tenant = _tenants(world)[tenant_name]
    tenant.own_agreement = _own_agreement(world, persona)
    client = _client(_persona(world, persona))
    leaks = []
    for method, path, body in BY_REFERENCE:
        names = set(re.findall(r"\{(\w+)\}", path + str(body)))
        if "own_agreement" in names and tenant.own_agreement is None:
            continue  # the persona sees no agreement to ask under
        _build(tenant, names)
        leaks.append(_check_reference(method, path, body, tenant, client))
    assert [leak for leak in leaks if leak] == []

"""ODRL export: each grant is an ODRL 2.2 Agreement that parses as JSON-LD, offline."""

import datetime
import socket
from collections import namedtuple

import pytest
from django.utils import timezone
from pyld import jsonld

from contracts.codes import Action
from contracts.exports.jsonld import ODRL_CONTEXT_URL, RemoteDocumentRefused, odrl_context, offline_document_loader
from contracts.services.permissions import permission_change, permission_set_status
from partnerships.actors import actor_for
from tests import factories as f

ODRL = "http://www.w3.org/ns/odrl/2/"
DPV = "https://w3id.org/dpv#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "http://testserver/api/v1"
OPTIONS = {"documentLoader": offline_document_loader}

Literal = namedtuple("Literal", "value datatype")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a socket from Python fails the test (the database driver uses its own)."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class Graph:
    """The triples of a JSON-LD document, as pyld's RDF conversion gives them."""

    def __init__(self, document):
        nquads = jsonld.to_rdf(document, OPTIONS | {"format": "application/n-quads"})
        assert nquads and all(line.endswith(" .") for line in nquads.splitlines())
        dataset = jsonld.to_rdf(document, OPTIONS)
        self.triples = {
            tuple(self._term(q[k]) for k in ("subject", "predicate", "object")) for q in dataset["@default"]
        }

    @staticmethod
    def _term(t):
        if t["type"] == "literal":
            return Literal(t["value"], t.get("datatype"))
        return t["value"]

    def objects(self, s, p) -> set:
        return {o for (s2, p2, o) in self.triples if s2 == s and p2 == p}

    def one(self, s, p):
        found = self.objects(s, p)
        assert len(found) == 1, (s, p, found)
        return next(iter(found))

    def subjects(self, p, o) -> set:
        return {s for (s, p2, o2) in self.triples if p2 == p and o2 == o}

    def items(self, head) -> list:
        out = []
        while head != RDF + "nil":
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out

    def constraint(self, node) -> tuple:
        """(leftOperand, operator, rightOperand values) of a constraint node."""
        return (
            self.one(node, ODRL + "leftOperand"),
            self.one(node, ODRL + "operator"),
            frozenset(self.objects(node, ODRL + "rightOperand")),
        )

    def constraints(self, rule) -> set:
        """The plain constraints of a rule (logical ones are looked at separately)."""
        return {
            self.constraint(c) for c in self.objects(rule, ODRL + "constraint") if self.objects(c, ODRL + "leftOperand")
        }


def odrl_url(permission, **params):
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return f"/api/v1/permissions/{permission.pk}/odrl/{query}"


def export(client, permission, **params):
    response = client.get(odrl_url(permission, **params))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/ld+json"
    return response.json()


def org(o):
    return f"{BASE}/organizations/{o.pk}/"


def dt(value):
    return Literal(timezone.localtime(value).isoformat(timespec="seconds"), XSD + "dateTime")


def duration(value):
    return Literal(value, XSD + "duration")


@pytest.fixture
def rich_grant(world):
    return f.grant(
        world.officer,
        world.agreement,
        world.personal_dataset,
        actions=["read", "aggregate"],
        purposes=["ScientificResearch", "ImprovePublicServices"],
        quota_count=5000,
        quota_interval="week",
        quota_unit="records",
        recipients=[world.other_partner_org],
        declaration_schedule="monthly",
        declaration_due_days=15,
        delete_within_days=30,
        anonymize_required=True,
    )


def the_policy(g: Graph, permission, number) -> str:
    policy = f"{BASE}/permissions/{permission.pk}/odrl/?version={number}"
    assert g.objects(policy, RDF + "type") == {ODRL + "Agreement"}
    return policy


def test_grant_is_an_odrl_agreement_with_its_parties_target_and_actions(world, client_for, rich_grant):
    doc = export(client_for(world.partner), rich_grant)
    assert doc["@context"] == [ODRL_CONTEXT_URL, {"dpv": DPV}]
    g = Graph(doc)
    policy = the_policy(g, rich_grant, 1)
    dataset = f"{BASE}/datasets/{world.personal_dataset.pk}/"

    assert g.objects(policy, ODRL + "assigner") == {org(world.bureau)}
    assert g.objects(policy, ODRL + "assignee") == {org(world.partner_org)}
    assert g.objects(policy, ODRL + "target") == {dataset}
    assert g.objects(org(world.bureau), "http://www.w3.org/2006/vcard/ns#fn") == {
        Literal(world.bureau.name, XSD + "string")
    }

    rule = g.one(policy, ODRL + "permission")
    assert g.objects(rule, ODRL + "action") == {ODRL + "read", ODRL + "aggregate"}
    assert g.objects(rule, ODRL + "assigner") == {org(world.bureau)}
    assert g.objects(rule, ODRL + "assignee") == {org(world.partner_org)}
    assert g.objects(rule, ODRL + "target") == {dataset}


def test_constraints_purpose_validity_quota_and_recipients(world, client_for, rich_grant):
    g = Graph(export(client_for(world.auditor), rich_grant))
    rule = g.one(the_policy(g, rich_grant, 1), ODRL + "permission")

    assert g.constraints(rule) == {
        (ODRL + "dateTime", ODRL + "gteq", frozenset({dt(rich_grant.valid_from)})),
        (ODRL + "dateTime", ODRL + "lt", frozenset({dt(rich_grant.valid_until)})),
        (ODRL + "count", ODRL + "lteq", frozenset({Literal("5000", XSD + "integer")})),
        (ODRL + "timeInterval", ODRL + "eq", frozenset({duration("P7D")})),
        (ODRL + "unitOfCount", ODRL + "eq", frozenset({Literal("records", XSD + "string")})),
        (ODRL + "recipient", ODRL + "isAnyOf", frozenset({org(world.partner_org), org(world.other_partner_org)})),
    }
    # Two purposes: either one (or anything under it in DPV) will do.
    logical = [c for c in g.objects(rule, ODRL + "constraint") if g.objects(c, ODRL + "or")]
    assert len(logical) == 1
    options = g.items(g.one(logical[0], ODRL + "or"))
    assert {g.constraint(c) for c in options} == {
        (ODRL + "purpose", ODRL + "isA", frozenset({DPV + "ImprovePublicServices"})),
        (ODRL + "purpose", ODRL + "isA", frozenset({DPV + "ScientificResearch"})),
    }


def test_duties_inform_delete_and_anonymize(world, client_for, rich_grant):
    g = Graph(export(client_for(world.officer), rich_grant))
    rule = g.one(the_policy(g, rich_grant, 1), ODRL + "permission")
    duties = {g.one(d, ODRL + "action"): d for d in g.objects(rule, ODRL + "duty")}
    assert set(duties) == {ODRL + "inform", ODRL + "delete", ODRL + "anonymize"}

    inform = duties[ODRL + "inform"]
    assert g.objects(inform, ODRL + "informedParty") == {org(world.bureau)}
    assert g.constraints(inform) == {
        (ODRL + "timeInterval", ODRL + "eq", frozenset({duration("P1M")})),
        (ODRL + "elapsedTime", ODRL + "lteq", frozenset({duration("P15D")})),
    }
    deadline = rich_grant.valid_until + datetime.timedelta(days=30)
    assert g.constraints(duties[ODRL + "delete"]) == {(ODRL + "dateTime", ODRL + "lteq", frozenset({dt(deadline)}))}
    assert g.objects(duties[ODRL + "anonymize"], ODRL + "target") == {f"{BASE}/datasets/{world.personal_dataset.pk}/"}


def test_actions_not_granted_are_prohibited_except_what_is_a_duty(world, client_for, rich_grant):
    g = Graph(export(client_for(world.officer), rich_grant))
    prohibition = g.one(the_policy(g, rich_grant, 1), ODRL + "prohibition")
    # read and aggregate are granted; anonymize and delete are duties, so not forbidden.
    assert g.objects(prohibition, ODRL + "action") == {
        ODRL + a for a in ("derive", "reproduce", "modify", "archive", "distribute", "sell")
    }
    assert g.objects(prohibition, ODRL + "assignee") == {org(world.partner_org)}


def test_single_purpose_and_no_recipients(world, client_for):
    g = Graph(export(client_for(world.partner), world.permission))
    rule = g.one(the_policy(g, world.permission, 1), ODRL + "permission")
    constraints = g.constraints(rule)
    assert (ODRL + "purpose", ODRL + "isA", frozenset({DPV + "PublicBenefit"})) in constraints
    # No approved recipients: the partner itself is the only one who may receive the data.
    assert (ODRL + "recipient", ODRL + "isAnyOf", frozenset({org(world.partner_org)})) in constraints
    duties = {g.one(d, ODRL + "action") for d in g.objects(rule, ODRL + "duty")}
    assert duties == {ODRL + "inform"}


def test_open_ended_grant_has_no_end_and_a_relative_deletion_deadline(world, client_for):
    grant = f.grant(
        world.officer, world.other_agreement, world.dataset, valid_until=None, quota_count=None, delete_within_days=7
    )
    g = Graph(export(client_for(world.officer), grant))
    rule = g.one(the_policy(g, grant, 1), ODRL + "permission")
    left = {c[0] for c in g.constraints(rule)}
    assert ODRL + "count" not in left and ODRL + "timeInterval" not in left
    assert [c for c in g.constraints(rule) if c[0] == ODRL + "dateTime"] == [
        (ODRL + "dateTime", ODRL + "gteq", frozenset({dt(grant.valid_from)}))
    ]
    delete = next(d for d in g.objects(rule, ODRL + "duty") if g.one(d, ODRL + "action") == ODRL + "delete")
    assert g.constraints(delete) == {(ODRL + "elapsedTime", ODRL + "lteq", frozenset({duration("P7D")}))}


def test_grant_without_duties_has_no_duty(world, client_for):
    grant = f.grant(world.officer, world.other_agreement, world.dataset, declaration_schedule="none")
    doc = export(client_for(world.officer), grant)
    assert "duty" not in doc["permission"][0]
    g = Graph(doc)
    assert g.objects(g.one(the_policy(g, grant, 1), ODRL + "permission"), ODRL + "duty") == set()


def test_total_quota_has_no_interval(world, client_for):
    grant = f.grant(
        world.officer,
        world.other_agreement,
        world.dataset,
        quota_count=100,
        quota_interval="total",
        quota_unit="requests",
    )
    g = Graph(export(client_for(world.officer), grant))
    rule = g.one(the_policy(g, grant, 1), ODRL + "permission")
    left = {c[0]: c for c in g.constraints(rule)}
    assert ODRL + "timeInterval" not in left
    assert left[ODRL + "count"] == (ODRL + "count", ODRL + "lteq", frozenset({Literal("100", XSD + "integer")}))
    assert left[ODRL + "unitOfCount"][2] == frozenset({Literal("requests", XSD + "string")})


def test_past_versions_stay_readable(world, client_for):
    permission = permission_change(
        actor=actor_for(world.officer), permission=world.permission, reason="Research added", actions=["read", "derive"]
    )
    client = client_for(world.auditor)
    old = Graph(export(client, permission, version=1))
    new = Graph(export(client, permission))
    assert old.objects(old.one(the_policy(old, permission, 1), ODRL + "permission"), ODRL + "action") == {
        ODRL + "read",
        ODRL + "aggregate",
    }
    assert new.objects(new.one(the_policy(new, permission, 2), ODRL + "permission"), ODRL + "action") == {
        ODRL + "read",
        ODRL + "derive",
    }
    assert new.objects(
        f"{BASE}/permissions/{permission.pk}/odrl/?version=2", "http://purl.org/dc/terms/isVersionOf"
    ) == {f"{BASE}/permissions/{permission.pk}/"}


def test_revoked_grant_permits_nothing_but_deletion_still_binds(world, client_for, rich_grant):
    permission_set_status(actor=actor_for(world.officer), permission=rich_grant, action="revoke", reason="Breach")
    doc = export(client_for(world.officer), rich_grant)
    g = Graph(doc)
    policy = the_policy(g, rich_grant, 2)
    assert g.objects(policy, ODRL + "permission") == set()
    prohibited = g.objects(g.one(policy, ODRL + "prohibition"), ODRL + "action")
    assert prohibited == {ODRL + a for a in Action.values if a != "delete"}
    obligation = g.one(policy, ODRL + "obligation")
    assert g.one(obligation, ODRL + "action") == ODRL + "delete"
    revoked_at = rich_grant.versions.get(number=2).effective_from
    assert g.constraints(obligation) == {
        (ODRL + "dateTime", ODRL + "lteq", frozenset({dt(revoked_at + datetime.timedelta(days=30))}))
    }
    assert doc["dct:description"] == "Grant revoked: Breach"


def test_suspended_grant_prohibits_every_action(world, client_for):
    permission_set_status(actor=actor_for(world.officer), permission=world.permission, action="suspend", reason="Audit")
    g = Graph(export(client_for(world.officer), world.permission))
    policy = the_policy(g, world.permission, 2)
    assert g.objects(policy, ODRL + "permission") == set()
    assert g.objects(g.one(policy, ODRL + "prohibition"), ODRL + "action") == {ODRL + a for a in Action.values}
    assert Graph(export(client_for(world.officer), world.permission, version=1)).objects(
        f"{BASE}/permissions/{world.permission.pk}/odrl/?version=1", ODRL + "permission"
    )


def test_export_expands_with_every_term_defined(world, client_for, rich_grant):
    """pyld silently drops a term the context does not define; check none was dropped."""
    doc = export(client_for(world.officer), rich_grant)
    expanded = jsonld.expand(doc, OPTIONS)
    assert expanded[0]["@type"] == [ODRL + "Agreement"]
    terms = set(odrl_context()["@context"]) | {"dpv"}

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    used = {k for k in keys({k: v for k, v in doc.items() if k != "@context"}) if not k.startswith("@")}
    undefined = {k for k in used if k not in terms and k.split(":")[0] not in terms}
    assert undefined == set()


@pytest.mark.parametrize("persona", ["other_partner", "far_officer"])
def test_foreign_grant_is_404(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(odrl_url(world.permission))
    assert response.status_code == 404
    assert "POP-STATS" not in response.content.decode()


def test_anonymous_gets_nothing(world, client_for):
    assert client_for(None).get(odrl_url(world.permission)).status_code == 401


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", "99999999999999999999"])
def test_bad_version_is_a_field_error(world, client_for, raw):
    response = client_for(world.partner).get(odrl_url(world.permission, version=raw))
    assert response.status_code == 400
    assert list(response.json()) == ["version"]


def test_unknown_version_is_404(world, client_for):
    response = client_for(world.partner).get(odrl_url(world.permission, version=9))
    assert response.status_code == 404


def test_plain_json_is_offered_too(world, client_for):
    response = client_for(world.partner).get(odrl_url(world.permission), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_loader_serves_the_shipped_odrl_context_only():
    served = offline_document_loader(ODRL_CONTEXT_URL)
    assert served["documentUrl"] == ODRL_CONTEXT_URL
    assert served["document"]["@context"]["odrl"] == ODRL
    assert served["document"]["@context"]["uid"] == "@id"
    for url in ("https://example.org/context.jsonld", "http://www.w3.org/ns/odrl.jsonld#x", "file:///etc/passwd"):
        with pytest.raises(RemoteDocumentRefused):
            offline_document_loader(url)


def test_pyld_with_the_loader_refuses_other_contexts():
    document = {"@context": "https://schema.org/", "@id": "https://example.org/x", "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as failure:
        jsonld.expand(document, OPTIONS)
    assert "schema.org" in repr(failure.value.details) or "schema.org" in str(failure.value)


def test_no_network_guard_is_live():
    """The guard that proves the exports work offline does block sockets."""
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))

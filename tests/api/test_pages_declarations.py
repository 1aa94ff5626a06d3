"""Partner pages: the declaration form, CSV uploads with their per-line report, duties."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from contracts.models import UsageDeclaration, UsageEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def last_month():
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def declaration_data(world, **overrides):
    start, end = last_month()
    data = {
        "agreement": world.agreement.pk,
        "dataset": world.dataset.pk,
        "period_start": str(start),
        "period_end": str(end),
        "purpose": "ImprovePublicServices",
        "actions": ["read"],
        "record_count": "1200",
        "note": "",
    }
    data.update(overrides)
    return data


def test_the_form_offers_only_the_partners_agreements_and_granted_datasets(world):
    # A grant to the other partner must not leak its dataset into this partner's form.
    f.grant(world.officer, world.other_agreement, world.personal_dataset)
    form = page_client(world.partner).get("/declarations/new/").context["form"]
    assert [a.reference for a in form.fields["agreement"].queryset] == ["ZJ-BOT-001"]
    assert [d.code for d in form.fields["dataset"].queryset] == ["POP-STATS"]
    assert world.partner_org not in form.fields["recipients"].queryset


def test_only_partners_declare(world):
    for persona in ("officer", "supervisor", "auditor"):
        assert page_client(getattr(world, persona)).get("/declarations/new/").status_code == 403


def test_a_declaration_with_errors_is_shown_again_with_messages_beside_the_fields(world):
    start, end = last_month()
    response = page_client(world.partner).post(
        "/declarations/new/", declaration_data(world, period_end=str(start - datetime.timedelta(days=1)), actions=[])
    )
    assert response.status_code == 200
    assert field_errors(response, "actions") == ["This field is required."]
    response = page_client(world.partner).post(
        "/declarations/new/", declaration_data(world, period_end=str(start - datetime.timedelta(days=1)))
    )
    assert field_errors(response, "period_end") == ["The period must not end before it starts."]
    # Another partner's agreement is not a choice at all.
    response = page_client(world.partner).post("/declarations/new/", declaration_data(world, agreement=world.other_agreement.pk))
    assert field_errors(response, "agreement") == ["Select a valid choice. That choice is not one of the available choices."]
    assert not UsageDeclaration.objects.exists()


def test_an_out_of_scope_declaration_is_stored_pending_its_check(world):
    response = page_client(world.partner).post("/declarations/new/", declaration_data(world, purpose="Marketing"))
    declaration = UsageDeclaration.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/declarations/{declaration.pk}/")
    assert (declaration.status, declaration.purpose, declaration.submitted_by) == ("pending", "Marketing", world.partner)
    page = page_client(world.partner).get(f"/declarations/{declaration.pk}/")
    assert page.status_code == 200
    assert "Not checked yet" in page.content.decode()


def test_declarations_are_404_to_other_partners(world):
    page_client(world.partner).post("/declarations/new/", declaration_data(world))
    declaration = UsageDeclaration.objects.get()
    assert page_client(world.other_partner).get(f"/declarations/{declaration.pk}/").status_code == 404
    assert list(page_client(world.other_partner).get("/declarations/").context["page"]) == []
    for persona in ("partner", "officer", "supervisor", "auditor"):
        assert page_client(getattr(world, persona)).get(f"/declarations/{declaration.pk}/").status_code == 200


def test_a_correction_supersedes_the_declaration(world):
    client = page_client(world.partner)
    client.post("/declarations/new/", declaration_data(world))
    first = UsageDeclaration.objects.get()
    form = client.get(f"/declarations/new/?supersedes={first.pk}").context["form"]
    assert form.initial["record_count"] == 1200
    client.post("/declarations/new/", declaration_data(world, record_count="1500", supersedes=first.pk))
    second = UsageDeclaration.objects.exclude(pk=first.pk).get()
    assert (second.supersedes_id, second.record_count) == (first.pk, 1500)
    assert client.get(f"/declarations/{first.pk}/").context["can_correct"] is False


def upload(client, kind, text, name="file.csv"):
    return client.post("/upload/", {"kind": kind, "file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")})


def test_a_declarations_file_with_a_bad_line_stores_nothing_and_reports_the_line(world):
    start, end = last_month()
    text = (
        "agreement,dataset,period_start,period_end,purpose,actions,record_count\n"
        f"ZJ-BOT-001,POP-STATS,{start},{end},ImprovePublicServices,read,10\n"
        f"ZJ-BOT-001,POP-STATS,{start},{end},NoSuchPurpose,read,10\n"
    )
    response = upload(page_client(world.partner), "declarations", text)
    assert response.status_code == 400
    report = response.context["report"]
    assert (report["ok"], report["created"], [r["line"] for r in report["rejected"]]) == (False, 0, [3])
    assert "purpose" in report["rejected"][0]["errors"]
    assert not UsageDeclaration.objects.exists()
    assert "<td class=\"num\">3</td>" in response.content.decode()


def test_a_good_declarations_file_is_stored(world):
    start, end = last_month()
    text = (
        "agreement,dataset,period_start,period_end,purpose,actions,record_count\n"
        f"ZJ-BOT-001,POP-STATS,{start},{end},ImprovePublicServices,read;aggregate,10\n"
    )
    response = upload(page_client(world.partner), "declarations", text)
    assert response.status_code == 200
    assert response.context["report"]["created"] == 1
    assert UsageDeclaration.objects.get().actions == ["read", "aggregate"]


def test_a_file_with_a_wrong_header_is_refused_as_a_whole(world):
    response = upload(page_client(world.partner), "declarations", "what,is,this\n1,2,3\n")
    assert response.status_code == 400
    assert response.context["report"]["file_errors"]
    assert not UsageDeclaration.objects.exists()


def test_an_events_file_stores_good_lines_and_reports_bad_ones(world):
    now = timezone.now().isoformat()
    text = (
        "source,event_id,occurred_at,agreement,dataset,action,purpose,record_count\n"
        f"gw,e1,{now},ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,5\n"
        f"gw,e2,{now},ZJ-SVC-002,POP-STATS,read,ImprovePublicServices,5\n"
        f"gw,e1,{now},ZJ-BOT-001,POP-STATS,read,ImprovePublicServices,5\n"
    )
    response = upload(page_client(world.partner), "events", text)
    report = response.context["report"]
    assert (report["accepted"], report["duplicates"], [r["line"] for r in report["rejected"]]) == (1, 1, [3])
    assert list(UsageEvent.objects.values_list("event_id", flat=True)) == ["e1"]


def test_upload_needs_a_file_and_a_kind(world):
    response = page_client(world.partner).post("/upload/", {})
    assert response.status_code == 200
    assert field_errors(response, "file") == ["This field is required."]
    assert page_client(world.supervisor).get("/upload/").status_code == 403


def test_duties_list_due_late_and_missing(world):
    client = page_client(world.partner)
    rows = client.get("/duties/").context["rows"]
    assert rows and {r["duty"].status for r in rows} <= {"due", "missing"}
    assert {r["agreement"].reference for r in rows} == {"ZJ-BOT-001"}
    start, end = last_month()
    client.post("/declarations/new/", declaration_data(world))
    after = client.get("/duties/?show=all").context["rows"]
    received = [r for r in after if r["duty"].period_start == start]
    assert [r["duty"].status for r in received] in (["received"], ["late"])
    # The other partner has no duties under this partner's grant.
    assert page_client(world.other_partner).get("/duties/").context["rows"] == []

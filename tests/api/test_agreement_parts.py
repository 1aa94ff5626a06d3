import datetime
import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Document, Milestone, Phase


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(agreement, part, suffix=""):
    return f"/api/v1/agreements/{agreement.pk}/{part}/{suffix}"


TODAY = timezone.localdate


# --- phases -------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_sets_and_updates_a_phase(world, client_for):
    client = client_for(world.officer)
    body = {"kind": "build", "planned_start": "2025-01-01", "planned_end": "2026-06-30", "actual_start": "2025-02-01"}
    created = client.post(url(world.agreement, "phases"), body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json() == body | {"actual_end": None}

    again = client.post(url(world.agreement, "phases"), body | {"planned_end": "2026-09-30"}, format="json")
    assert again.status_code == 200
    assert Phase.objects.filter(agreement=world.agreement).count() == 1

    patched = client.patch(url(world.agreement, "phases", "build/"), {"actual_end": "2025-12-31"}, format="json")
    assert patched.status_code == 200
    phase = Phase.objects.get(agreement=world.agreement, kind="build")
    assert (phase.planned_start, phase.planned_end, phase.actual_start, phase.actual_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2026, 9, 30),
        datetime.date(2025, 2, 1),
        datetime.date(2025, 12, 31),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_phases_are_read_by_all_who_see_the_agreement(world, client_for, persona):
    Phase.objects.create(agreement=world.agreement, kind="design", planned_start=datetime.date(2024, 1, 1))
    listing = client_for(getattr(world, persona)).get(url(world.agreement, "phases"))
    assert listing.status_code == 200
    assert [p["kind"] for p in listing.json()["results"]] == ["design"]
    assert client_for(getattr(world, persona)).get(url(world.agreement, "phases", "design/")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_phases_are_written_only_by_managers(world, client_for, persona):
    Phase.objects.create(agreement=world.agreement, kind="design", planned_start=datetime.date(2024, 1, 1))
    client = client_for(getattr(world, persona))
    assert client.post(url(world.agreement, "phases"), {"kind": "build"}, format="json").status_code == 403
    assert (
        client.patch(
            url(world.agreement, "phases", "design/"), {"planned_start": "2020-01-01"}, format="json"
        ).status_code
        == 403
    )
    assert list(Phase.objects.filter(agreement=world.agreement).values_list("kind", "planned_start")) == [
        ("design", datetime.date(2024, 1, 1))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, foreign", [("other_partner", "agreement"), ("far_officer", "agreement"), ("officer", "far_agreement")]
)
def test_foreign_phases_are_404_and_unchanged(world, client_for, persona, foreign):
    target = getattr(world, foreign)
    Phase.objects.create(agreement=target, kind="design", planned_start=datetime.date(2024, 1, 1))
    client = client_for(getattr(world, persona))
    assert client.get(url(target, "phases")).status_code == 404
    assert client.get(url(target, "phases", "design/")).status_code == 404
    assert client.post(url(target, "phases"), {"kind": "build"}, format="json").status_code == 404
    assert (
        client.patch(url(target, "phases", "design/"), {"planned_start": "2020-01-01"}, format="json").status_code
        == 404
    )
    assert list(Phase.objects.filter(agreement=target).values_list("kind", "planned_start")) == [
        ("design", datetime.date(2024, 1, 1))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "build", "planned_start": "2026-01-01", "planned_end": "2025-01-01"}, "planned_end"),
        ({"kind": "build", "actual_start": "2025-06-01", "actual_end": "2025-01-01"}, "actual_end"),
        ({"kind": "build", "actual_end": "2025-01-01"}, "actual_start"),
        ({"kind": "build", "actual_start": "2099-01-01"}, "actual_start"),
        ({"kind": "demolish"}, "kind"),
        ({"kind": "build", "planned_start": "tomorrow"}, "planned_start"),
        ({"kind": "build", "budget": 3}, "budget"),
        ({"planned_start": "2025-01-01"}, "kind"),
    ],
)
def test_bad_phase_is_400_by_field(world, client_for, body, field):
    response = client_for(world.officer).post(url(world.agreement, "phases"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Phase.objects.filter(agreement=world.agreement).exists()


@pytest.mark.django_db
def test_no_transfer_phase_for_a_service_agreement(world, client_for):
    response = client_for(world.officer).post(url(world.other_agreement, "phases"), {"kind": "transfer"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"kind": ["Only BOT, BOOT, BTO, TOT and ROT agreements have a transfer phase."]}
    assert not Phase.objects.exists()


# --- milestones and obligations ------------------------------------------------


def milestone_body(world, **over):
    data = {
        "kind": "obligation",
        "title": "季度数据安全报告 Quarterly data-security report",
        "due_on": "2026-03-31",
        "responsible": world.partner_org.credit_code,
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_officer_adds_an_obligation_and_records_its_outcome(world, client_for):
    client = client_for(world.officer)
    created = client.post(url(world.agreement, "milestones"), milestone_body(world), format="json")
    assert created.status_code == 201, created.json()
    row = Milestone.objects.get(agreement=world.agreement)
    assert created.json() == {
        "id": row.pk,
        "kind": "obligation",
        "title": "季度数据安全报告 Quarterly data-security report",
        "description": "",
        "due_on": "2026-03-31",
        "responsible": world.partner_org.pk,
        "status": "scheduled",
        "met_on": None,
    }
    met = client.patch(url(world.agreement, "milestones", f"{row.pk}/"), {"status": "met"}, format="json")
    assert met.status_code == 200
    assert (met.json()["status"], met.json()["met_on"]) == ("met", TODAY().isoformat())
    partly = client.patch(
        url(world.agreement, "milestones", f"{row.pk}/"),
        {"status": "partiallyMet", "met_on": "2026-01-15"},
        format="json",
    )
    assert partly.json()["met_on"] == "2026-01-15"
    missed = client.patch(url(world.agreement, "milestones", f"{row.pk}/"), {"status": "notMet"}, format="json")
    assert missed.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.met_on) == ("notMet", None)


@pytest.mark.django_db
def test_milestone_filters(world, client_for):
    client = client_for(world.officer)
    for title, kind, due in (
        ("A", "milestone", "2026-01-01"),
        ("B", "obligation", "2026-06-01"),
        ("C", "obligation", "2027-01-01"),
    ):
        client.post(
            url(world.agreement, "milestones"), milestone_body(world, title=title, kind=kind, due_on=due), format="json"
        )
    c = Milestone.objects.get(title="C")
    client.patch(url(world.agreement, "milestones", f"{c.pk}/"), {"status": "notMet"}, format="json")

    def titles(**q):
        response = client_for(world.partner).get(url(world.agreement, "milestones"), q)
        assert response.status_code == 200
        return [m["title"] for m in response.json()["results"]]

    assert titles() == ["A", "B", "C"]
    assert titles(kind="obligation") == ["B", "C"]
    assert titles(status="notMet") == ["C"]
    assert titles(due_before="2026-12-31") == ["A", "B"]
    assert client.get(url(world.agreement, "milestones"), {"status": "late"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field",
    [
        ({"responsible": "other_partner_org"}, "responsible"),  # not a party to this agreement
        ({"responsible": 10**9}, "responsible"),
        ({"kind": "promise"}, "kind"),
        ({"title": ""}, "title"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"status": "met"}, "status"),
        ({"penalty": 5}, "penalty"),
    ],
)
def test_bad_milestone_is_400_by_field(world, client_for, over, field):
    body = milestone_body(world)
    for key, value in over.items():
        body[key] = getattr(world, value).pk if isinstance(value, str) and hasattr(world, value) else value
    response = client_for(world.officer).post(url(world.agreement, "milestones"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Milestone.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "done"}, "status"),
        ({"status": "notMet", "met_on": "2026-01-01"}, "met_on"),
        ({"status": "met", "met_on": "2999-01-01"}, "met_on"),
        ({"status": "met", "title": "renamed"}, "title"),
        ({}, "status"),
    ],
)
def test_bad_outcome_is_400_and_changes_nothing(world, client_for, body, field):
    row = Milestone.objects.create(agreement=world.agreement, title="M", due_on=TODAY(), responsible=world.partner_org)
    response = client_for(world.officer).patch(url(world.agreement, "milestones", f"{row.pk}/"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}
    row.refresh_from_db()
    assert (row.title, row.status, row.met_on) == ("M", "scheduled", None)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_milestones_are_written_only_by_managers(world, client_for, persona):
    row = Milestone.objects.create(agreement=world.agreement, title="M", due_on=TODAY(), responsible=world.partner_org)
    client = client_for(getattr(world, persona))
    assert client.get(url(world.agreement, "milestones", f"{row.pk}/")).status_code == 200
    # A partner may not certify its own obligation as met.
    assert (
        client.patch(url(world.agreement, "milestones", f"{row.pk}/"), {"status": "met"}, format="json").status_code
        == 403
    )
    assert client.post(url(world.agreement, "milestones"), milestone_body(world), format="json").status_code == 403
    row.refresh_from_db()
    assert row.status == "scheduled"
    assert Milestone.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, foreign", [("other_partner", "agreement"), ("far_officer", "agreement"), ("auditor", "far_agreement")]
)
def test_foreign_milestones_are_404_and_unchanged(world, client_for, persona, foreign):
    target = getattr(world, foreign)
    row = Milestone.objects.create(agreement=target, title="M", due_on=TODAY(), responsible=target.partner)
    client = client_for(getattr(world, persona))
    assert client.get(url(target, "milestones")).status_code == 404
    assert client.get(url(target, "milestones", f"{row.pk}/")).status_code == 404
    assert client.patch(url(target, "milestones", f"{row.pk}/"), {"status": "met"}, format="json").status_code == 404
    assert client.post(url(target, "milestones"), milestone_body(world), format="json").status_code == 404
    row.refresh_from_db()
    assert row.status == "scheduled"
    assert Milestone.objects.count() == 1


@pytest.mark.django_db
def test_milestone_of_another_agreement_is_404_under_this_one(world, client_for):
    # The officer sees both agreements; a milestone is only reachable under its own.
    row = Milestone.objects.create(
        agreement=world.other_agreement, title="M", due_on=TODAY(), responsible=world.other_partner_org
    )
    response = client_for(world.officer).patch(
        url(world.agreement, "milestones", f"{row.pk}/"), {"status": "met"}, format="json"
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "scheduled"


# --- documents -------------------------------------------------------------------


def upload(
    client,
    agreement,
    content=b"%PDF-1.7 signed contract",
    name="contract.pdf",
    content_type="application/pdf",
    **fields,
):
    return client.post(
        url(agreement, "documents"),
        {"file": SimpleUploadedFile(name, content, content_type=content_type), **fields},
        format="multipart",
    )


@pytest.mark.django_db
def test_upload_keeps_sha256_size_and_type(world, client_for):
    content = b"%PDF-1.7 signed contract \x00\xff" * 10
    response = upload(client_for(world.officer), world.agreement, content, title="签署合同 Signed contract")
    assert response.status_code == 201, response.json()
    doc = Document.objects.get(agreement=world.agreement)
    assert response.json() == {
        "id": doc.pk,
        "title": "签署合同 Signed contract",
        "document_type": "contractSigned",
        "version": None,
        "filename": "contract.pdf",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content_type": "application/pdf",
        "uploaded_by": "officer",
        "uploaded_at": response.json()["uploaded_at"],
    }
    with doc.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DOCUMENT_MAX_BYTES = 1000
    client = client_for(world.officer)
    response = upload(client, world.agreement, b"x" * 1001)
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 1000 bytes."]}
    assert not Document.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []
    assert upload(client, world.agreement, b"x" * 1000).status_code == 201  # the limit itself is allowed


@pytest.mark.django_db
def test_large_upload_is_hashed_across_chunks(world, client_for):
    content = os.urandom(3 * 1024 * 1024 + 123)  # more than one chunk, and spooled to a temporary file
    response = upload(
        client_for(world.officer), world.agreement, content, name="scan.bin", content_type="application/octet-stream"
    )
    assert response.status_code == 201
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.json()["size"] == len(content)


@pytest.mark.django_db
def test_chinese_and_overlong_file_names(world, client_for):
    client = client_for(world.officer)
    chinese = upload(client, world.agreement, b"x", name="特许经营协议.pdf")
    assert chinese.status_code == 201
    assert chinese.json()["filename"] == "特许经营协议.pdf"
    download = client.get(url(world.agreement, "documents", f"{chinese.json()['id']}/download/"))
    assert "filename*=utf-8''" in download["Content-Disposition"]

    long_name = "a" * 400 + ".pdf"
    response = upload(client, world.agreement, b"y", name=long_name)
    assert response.status_code == 201
    assert response.json()["filename"] == "a" * 116 + ".pdf"
    assert response.json()["title"] == "a" * 116 + ".pdf"


@pytest.mark.django_db
def test_document_of_an_amendment(world, client_for):
    client = client_for(world.officer)
    client.post(
        f"/api/v1/agreements/{world.agreement.pk}/amendments/",
        {"rationale": "Extension", "effective_on": "2026-03-01", "changes": {"ends_on": "2035-12-31"}},
        format="json",
    )
    response = upload(client, world.agreement, name="amendment-2.pdf", version=2, document_type="contractAmendment")
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["document_type"]) == (2, "contractAmendment")
    version = client.get(f"/api/v1/agreements/{world.agreement.pk}/amendments/2/").json()
    assert version["documents"] == [response.json()["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer", "partner", "supervisor", "auditor", "admin"])
def test_documents_are_listed_and_downloaded_by_all_who_see_the_agreement(world, client_for, persona):
    content = b"the signed text"
    doc_id = upload(client_for(world.officer), world.agreement, content).json()["id"]
    client = client_for(getattr(world, persona))
    listing = client.get(url(world.agreement, "documents"))
    assert listing.status_code == 200
    assert [(d["id"], d["sha256"]) for d in listing.json()["results"]] == [
        (doc_id, hashlib.sha256(content).hexdigest())
    ]
    download = client.get(url(world.agreement, "documents", f"{doc_id}/download/"), HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-SHA256"] == hashlib.sha256(content).hexdigest()
    assert 'filename="contract.pdf"' in download["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["partner", "supervisor", "auditor"])
def test_documents_are_uploaded_only_by_managers(world, client_for, persona):
    response = upload(client_for(getattr(world, persona)), world.agreement)
    assert response.status_code == 403
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, foreign", [("other_partner", "agreement"), ("far_officer", "agreement"), ("supervisor", "far_agreement")]
)
def test_foreign_documents_are_404(world, client_for, persona, foreign):
    target = getattr(world, foreign)
    manager = world.far_officer if target == world.far_agreement else world.officer
    doc_id = upload(client_for(manager), target, b"secret terms").json()["id"]
    client = client_for(getattr(world, persona))
    assert client.get(url(target, "documents")).status_code == 404
    assert client.get(url(target, "documents", f"{doc_id}/")).status_code == 404
    download = client.get(url(target, "documents", f"{doc_id}/download/"))
    assert download.status_code == 404
    assert b"secret terms" not in download.content
    assert upload(client, target, b"overwrite").status_code == 404
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_document_of_another_agreement_is_404_under_this_one(world, client_for):
    doc_id = upload(client_for(world.officer), world.other_agreement, b"other").json()["id"]
    response = client_for(world.partner).get(url(world.agreement, "documents", f"{doc_id}/download/"))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"content": b""}, "file"),
        ({"version": 7}, "version"),
        ({"version": "one"}, "version"),
        ({"document_type": "signed contract!"}, "document_type"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_upload_is_400_and_stores_nothing(world, client_for, kwargs, field, settings):
    response = upload(client_for(world.officer), world.agreement, **kwargs)
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Document.objects.exists()
    stored = settings.MEDIA_ROOT
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


@pytest.mark.django_db
def test_upload_without_a_file_is_400(world, client_for):
    response = client_for(world.officer).post(
        url(world.agreement, "documents"), {"title": "no file"}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


@pytest.mark.django_db
def test_json_upload_is_415(world, client_for):
    response = client_for(world.officer).post(url(world.agreement, "documents"), {"title": "x"}, format="json")
    assert response.status_code == 415
    assert not Document.objects.exists()

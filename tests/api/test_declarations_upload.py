import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import UsageDeclaration

URL = "/api/v1/declarations/upload/"
HEADER = "agreement,dataset,period_start,period_end,purpose,actions,record_count,recipients,note\n"


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr("partnerships.publish.app.send_task", lambda name, args=(), **kw: sent.append((name, args)))
    return sent


def upload(client, text: str):
    return client.post(URL, text.encode("utf-8"), content_type="text/csv")


@pytest.mark.django_db
def test_a_csv_of_declarations_is_stored_and_each_is_checked(world, client_for, published, django_capture_on_commit_callbacks):
    csv_text = HEADER + (
        "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read;aggregate,100,,January\n"
        f"ZJ-BOT-001,HEALTH-REC,2026-02-01,2026-02-28,ScientificResearch,read,0,{world.other_partner_org.credit_code},\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(world.partner), csv_text)

    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    stored = list(UsageDeclaration.objects.order_by("id"))
    assert response.json()["declarations"] == [d.pk for d in stored]
    assert [(d.dataset.code, d.actions, d.record_count, d.note) for d in stored] == [
        ("POP-STATS", ["read", "aggregate"], 100, "January"),
        ("HEALTH-REC", ["read"], 0, ""),
    ]
    assert list(stored[1].recipients.all()) == [world.other_partner_org]
    assert {d.status for d in stored} == {"pending"}
    assert published == [("notifications.check_declaration", (d.pk,)) for d in stored]


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_nothing_is_stored(world, client_for, published):
    csv_text = HEADER + (
        "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,100,,ok\n"  # line 2
        "ZJ-BOT-001,POP-STATS,2026-02-01,2026-02-28,ImprovePublicServices,read,-3,,negative\n"  # line 3
        "ZJ-SVC-002,POP-STATS,2026-02-01,2026-02-28,ImprovePublicServices,read,5,,not mine\n"  # line 4
        "\n"  # line 5: blank lines are skipped
        "ZJ-BOT-001,NO-SUCH,2026-03-31,2026-03-01,Fun,steal,5,,three errors\n"  # line 6
    )
    response = upload(client_for(world.partner), csv_text)

    assert response.status_code == 400
    report = response.json()
    assert report["created"] == 0
    assert [(r["line"], sorted(r["errors"])) for r in report["rejected"]] == [
        (3, ["record_count"]),
        (4, ["agreement"]),
        (6, ["actions", "dataset", "purpose"]),
    ]
    assert not UsageDeclaration.objects.exists()
    assert published == []


@pytest.mark.django_db
def test_a_multipart_file_upload_works_too(world, client_for):
    csv_text = HEADER + "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,7,,\n"
    upload_file = SimpleUploadedFile("march.csv", csv_text.encode("utf-8-sig"), content_type="text/csv")

    response = client_for(world.partner).post(URL, {"file": upload_file}, format="multipart")

    assert response.status_code == 201, response.json()
    assert UsageDeclaration.objects.get().record_count == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text,field",
    [
        ("agreement,dataset,colour\nZJ-BOT-001,POP-STATS,red\n", "file"),
        (HEADER, "file"),
        ("", "file"),
    ],
    ids=["unknown and missing columns", "header only", "empty"],
)
def test_a_file_that_is_not_declarations_is_a_400(world, client_for, text, field):
    response = upload(client_for(world.partner), text)

    assert response.status_code == 400
    assert field in response.json()
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_extra_cells_and_nul_bytes_are_refused(world, client_for):
    extra = upload(client_for(world.partner), HEADER + "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,1,,,surplus\n")
    nul = upload(client_for(world.partner), HEADER + "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,1,,\x00\n")

    assert extra.status_code == 400 and extra.json()["rejected"][0]["line"] == 2
    assert nul.status_code == 400 and "file" in nul.json()
    assert not UsageDeclaration.objects.exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_a_413(world, client_for, monkeypatch):
    monkeypatch.setattr("contracts.api.usage_upload.MAX_UPLOAD_BYTES", 200)
    text = HEADER + "ZJ-BOT-001,POP-STATS,2026-01-01,2026-01-31,ImprovePublicServices,read,1,,\n" * 5

    assert upload(client_for(world.partner), text).status_code == 413
    assert not UsageDeclaration.objects.exists()

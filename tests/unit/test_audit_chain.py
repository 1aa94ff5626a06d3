"""The audit trail: what writes and logins append, and that verify_audit catches
an edited row, a deleted row and a cut tail (on PostgreSQL, past the trigger,
the way someone with superuser access to the database would)."""

import datetime
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client, RequestFactory

from contracts.services.agreements import agreement_amend, agreement_transition
from contracts.services.permissions import permission_set_status
from partnerships.actors import actor_for
from partnerships.audit import audit_record, audit_record_after_commit
from partnerships.audit.canonical import GENESIS, entry_hash
from partnerships.audit.heads import audit_head_record
from partnerships.audit.verify import verify_chain
from partnerships.models import AuditEntry, AuditHead
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
IS_POSTGRES = settings.DB_VENDOR == "postgresql"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Seven personas with the default hasher cost seconds per test; the hash strength is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def tamper(sql: str, params=()) -> None:
    """Change audit rows directly. On PostgreSQL the append-only triggers are
    switched off for this transaction first, as a superuser could."""
    with connection.cursor() as cursor:
        if IS_POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if IS_POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = origin")


def verify_fails() -> str:
    with pytest.raises(CommandError) as info:
        call_command("verify_audit")
    assert info.value.returncode == 1
    with pytest.raises(SystemExit) as exit_info:  # the same failure, seen as an exit
        call_command("verify_audit")
    assert exit_info.value.code == 1
    return str(info.value)


def actions():
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


@pytest.mark.django_db
def test_service_writes_append_entries_in_order_with_their_values(world):
    # The world: 3 agreements created and activated, one grant.
    assert actions() == [
        "agreement.create", "agreement.activate",
        "agreement.create", "agreement.activate",
        "agreement.create", "agreement.activate",
        "grant.create",
    ]
    activate = AuditEntry.objects.filter(action="agreement.activate", object_id=str(world.agreement.pk)).get()
    assert activate.object_type == "agreement"
    assert activate.actor_id == world.officer.pk
    assert activate.actor_username == "officer"
    assert activate.organization_id == world.bureau.pk
    assert activate.before == {"status": "draft"}
    assert activate.after["status"] == "active"
    assert activate.after["reason"] == "Signed and approved"
    assert activate.after["at"].endswith("Z")  # times are UTC


@pytest.mark.django_db
def test_amendment_and_revocation_record_before_and_after(world):
    officer = actor_for(world.officer)
    agreement_amend(
        actor=officer, agreement=world.agreement, rationale="Scope grows", effective_on=datetime.date(2026, 1, 1),
        changes={"value": Decimal("2500000.00")},
    )
    permission_set_status(actor=officer, permission=world.permission, action="revoke", reason="Breach")
    amend = AuditEntry.objects.get(action="agreement.amend")
    assert amend.before == {"version": 1, "value": "1000000.00"}
    assert amend.after == {"version": 2, "effective_on": "2026-01-01", "rationale": "Scope grows", "value": "2500000.00"}
    revoke = AuditEntry.objects.get(action="grant.revoke")
    assert revoke.object_type == "grant" and revoke.object_id == str(world.permission.pk)
    assert revoke.before == {"status": "active", "version": 1}
    assert revoke.after["status"] == "revoked" and revoke.after["version"] == 2 and revoke.after["reason"] == "Breach"


@pytest.mark.django_db
def test_a_refused_write_leaves_no_entry(world):
    before = AuditEntry.objects.count()
    with pytest.raises(Exception):
        agreement_transition(actor=actor_for(world.officer), agreement=world.agreement, action="activate", reason="again")
    with pytest.raises(Exception):  # a partner may not change the agreement
        agreement_transition(actor=actor_for(world.partner), agreement=world.agreement, action="suspend", reason="x")
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_entries_form_a_hash_chain():
    a = audit_record(actor=None, action="test.one", after={"n": 1})
    b = audit_record(actor=None, action="test.two", before={"n": 1}, after={"n": 2})
    assert (a.seq, b.seq) == (1, 2)
    assert a.prev_hash == GENESIS and b.prev_hash == a.hash
    stored = AuditEntry.objects.get(seq=2)
    assert entry_hash(stored) == stored.hash == b.hash  # what is read back hashes the same


@pytest.mark.django_db
def test_values_are_stored_as_plain_json():
    e = audit_record(
        actor=None,
        action="test.values",
        after={"value": Decimal("1.50"), "on": datetime.date(2026, 3, 1),
               "at": datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
               "ids": {3, 1}, "text": "数据 data"},
    )
    stored = AuditEntry.objects.get(seq=e.seq)
    assert stored.after == {"value": "1.50", "on": "2026-03-01", "at": "2026-03-01T00:00:00.000000Z",
                            "ids": [1, 3], "text": "数据 data"}
    assert entry_hash(stored) == stored.hash


@pytest.mark.django_db
def test_verify_audit_passes_on_an_intact_chain(world, capsys):
    call_command("verify_audit")
    assert "Audit trail intact: 7 entries, head seq=7" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_edited_row_is_named(world):
    tamper("UPDATE partnerships_auditentry SET actor_username = 'someone_else' WHERE seq = 4")
    message = verify_fails()
    assert "seq=4 (id 4)" in message and "altered" in message


@pytest.mark.django_db
def test_an_edited_json_value_is_named(world):
    target = AuditEntry.objects.get(action="grant.create")
    after = dict(target.after, quota_count=99_999_999)
    tamper(
        "UPDATE partnerships_auditentry SET after = %s WHERE seq = %s",
        (__import__("json").dumps(after), target.seq),
    )
    assert f"seq={target.seq} (id {target.seq})" in verify_fails()


@pytest.mark.django_db
def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(world):
    entry = AuditEntry.objects.get(seq=3)
    entry.actor_username = "someone_else"
    forged = entry_hash(entry)
    tamper("UPDATE partnerships_auditentry SET actor_username = 'someone_else', hash = %s WHERE seq = 3", (forged,))
    message = verify_fails()
    assert "seq=4 (id 4)" in message and "does not link" in message


@pytest.mark.django_db
def test_a_deleted_row_is_named(world):
    tamper("DELETE FROM partnerships_auditentry WHERE seq = 5")
    message = verify_fails()
    assert "seq=5 (id 5)" in message and "missing (deleted)" in message


@pytest.mark.django_db
def test_a_deleted_first_row_is_named(world):
    tamper("DELETE FROM partnerships_auditentry WHERE seq = 1")
    assert "seq=1 (id 1)" in verify_fails()


@pytest.mark.django_db
def test_a_truncated_tail_is_caught_by_the_recorded_head(world):
    head = audit_head_record()
    assert (head.seq, head.hash) == (7, AuditEntry.objects.get(seq=7).hash)
    # The attacker cuts the last three entries and puts the tip back, leaving a chain that links perfectly.
    tamper("DELETE FROM partnerships_auditentry WHERE seq >= 5")
    tamper("UPDATE partnerships_auditchaintip SET seq = 4, hash = %s", (AuditEntry.objects.get(seq=4).hash,))
    message = verify_fails()
    assert "seq=5 (id 5)" in message and "truncated tail" in message and "saw seq 7" in message


@pytest.mark.django_db
def test_a_truncated_tail_is_caught_by_the_tip_before_any_head(world):
    assert AuditHead.objects.count() == 0
    tamper("DELETE FROM partnerships_auditentry WHERE seq = 7")
    message = verify_fails()
    assert "seq=7 (id 7)" in message and "truncated tail" in message


@pytest.mark.django_db
def test_a_rewritten_chain_is_caught_by_the_recorded_head(world):
    audit_head_record()
    # Rewrite entry 7 and recompute its hash: the chain links, but the head remembers.
    entry = AuditEntry.objects.get(seq=7)
    entry.actor_username = "someone_else"
    forged = entry_hash(entry)
    tamper("UPDATE partnerships_auditentry SET actor_username = 'someone_else', hash = %s WHERE seq = 7", (forged,))
    tamper("UPDATE partnerships_auditchaintip SET hash = %s", (forged,))
    message = verify_fails()
    assert "seq=7 (id 7)" in message and "differs from the head" in message


@pytest.mark.django_db
def test_the_daily_head_is_recorded_once_and_not_over_a_broken_chain(world):
    first = audit_head_record()
    assert audit_head_record().pk == first.pk  # nothing new: the same head
    audit_record(actor=None, action="test.more")
    second = audit_head_record()
    assert (second.seq, AuditHead.objects.count()) == (8, 2)
    tamper("UPDATE partnerships_auditentry SET action = 'test.less' WHERE seq = 8")
    audit_record(actor=None, action="test.after")
    assert audit_head_record() is None
    assert AuditHead.objects.count() == 2
    assert verify_chain(since=(first.seq, first.hash)).broken.seq == 8


@pytest.mark.django_db
def test_logins_are_recorded_with_the_request_id(world):
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "admin", "password": "wrong"}, HTTP_X_REQUEST_ID="req-123.abc"
    )
    assert response["X-Request-ID"] == "req-123.abc"
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.actor_id is None and failed.object_repr == "admin" and failed.request_id == "req-123.abc"
    assert "wrong" not in str(failed.after)

    response = client.post("/admin/login/", {"username": "admin", "password": "correct-horse-battery"})
    assert response.status_code == 302
    ok = AuditEntry.objects.get(action="login.succeeded")
    assert ok.actor_id == world.admin.pk and ok.object_id == str(world.admin.pk)
    assert len(response["X-Request-ID"]) == 32 and ok.request_id == response["X-Request-ID"]
    call_command("verify_audit")


@pytest.mark.django_db
def test_an_insane_request_id_is_replaced(world):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="x" * 65)
    assert response["X-Request-ID"] != "x" * 65 and len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_failed_api_style_authentication_is_recorded(world):
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="192.0.2.7")
    assert authenticate(request, username="partner", password="nope") is None
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.after == {"username": "partner", "ip": "192.0.2.7", "path": "/api/v1/auth/token/"}


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_postgres_refuses_update_and_delete_of_audit_rows(world):
    audit_head_record()
    for sql in (
        "UPDATE partnerships_auditentry SET action = 'x' WHERE seq = 1",
        "DELETE FROM partnerships_auditentry WHERE seq = 1",
        "DELETE FROM partnerships_audithead",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEntry.objects.get(seq=1).action == "agreement.create"
    assert AuditEntry.objects.count() == 7
    call_command("verify_audit")


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_verify_audit_exits_non_zero_from_the_command_line(world):
    def run():
        env = dict(os.environ, DATABASE_URL=_url_of_test_database())
        return subprocess.run(
            [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    intact = run()
    assert intact.returncode == 0, intact.stderr
    with connection.cursor() as cursor:  # autocommit here: the trigger is off only for this session
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE partnerships_auditentry SET object_repr = 'nothing to see' WHERE seq = 2")
        cursor.execute("SET session_replication_role = origin")
    broken = run()
    assert broken.returncode == 1
    assert "seq=2 (id 2)" in broken.stderr


def _url_of_test_database() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    errors = []

    def append(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", after={"thread": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 61))
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_after_commit_entry_is_written_only_when_the_work_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit_record_after_commit(actor=None, action="test.system", after={"n": 1})
        assert AuditEntry.objects.count() == 0
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.system"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit_record_after_commit(actor=None, action="test.rolled_back")
    assert len(callbacks) == 1 and AuditEntry.objects.count() == 1  # never run: as if rolled back

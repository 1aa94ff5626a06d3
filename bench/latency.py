"""Alert latency: from submitting an out-of-scope declaration to its alert being readable in the API.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/12 python bench/latency.py [--n 50]

Creates a small province (a bureau, a partner, a supervisor, one agreement and grant) in the
database, starts a real ``celery -A partnerships worker`` on the broker, then submits ``n``
declarations with a purpose the grant does not cover, one after another, each for its own day
(so each raises a new alert). For each it measures the time from the POST until
``GET /api/v1/alerts/`` as the supervisor lists the alert. Prints ``alert_latency_p50_ms`` and,
last, ``alert_latency_p95_ms``. Goal: p95 under 2000 ms.
"""

import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_setup  # noqa: E402

POLL_SECONDS = 0.03  # 33 reads a second stays under the API's per-user throttle


def province(tag: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from contracts.models import Dataset
    from contracts.services.agreements import agreement_create, agreement_transition
    from contracts.services.permissions import permission_grant
    from partnerships.actors import actor_for
    from partnerships.models import Membership, Organization
    from partnerships.validators import make_credit_code

    n = int(uuid.uuid4().int % 10**8)

    def org(name, kind, prefix, i):
        return Organization.objects.create(
            name=f"{name} {tag}", kind=kind, region_code="330000", credit_code=make_credit_code(prefix, "330000", f"{(n + i) % 10**8:08d}")
        )

    def user(name, org_, role):
        u = get_user_model().objects.create_user(username=f"{name}-{tag}", password=uuid.uuid4().hex)
        Membership.objects.create(user=u, organization=org_, role=role)
        return u

    bureau, partner_org = org("Bench bureau", "government", "11", 0), org("Bench partner", "enterprise", "91", 1)
    office = org("Bench supervision", "regulator", "11", 2)
    officer, partner, supervisor = user("officer", bureau, "officer"), user("partner", partner_org, "partner"), user(
        "supervisor", office, "supervisor"
    )
    today = timezone.localdate()
    officer_actor = actor_for(officer)
    agreement = agreement_create(
        actor=officer_actor, reference=f"LAT-{tag}", title="Latency bench", model="SERVICE", government=bureau,
        partner=partner_org, starts_on=today - datetime.timedelta(days=400), ends_on=today + datetime.timedelta(days=400),
    )  # fmt: skip
    agreement = agreement_transition(actor=officer_actor, agreement=agreement, action="activate", reason="bench")
    dataset = Dataset.objects.create(code=f"LAT-{tag}", name="Latency", owner=bureau, grade="general", personal_info="none")
    permission_grant(
        actor=officer_actor, agreement=agreement, dataset=dataset, actions=["read"], purposes=["PublicBenefit"],
        valid_from=timezone.now() - datetime.timedelta(days=400), quota_count=None,
    )  # fmt: skip
    return agreement, dataset, partner, supervisor


def start_worker(log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "partnerships", "worker", "--loglevel=INFO",
         "--concurrency=2", "--without-gossip", "--without-mingle", "-n", f"latency-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the worker did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc


def submit(client, agreement, dataset, partner, day) -> None:
    """Through the declarations API when it is there, else as its service would: store, publish on commit."""
    body = {
        "agreement": agreement.pk, "dataset": dataset.code, "period_start": day.isoformat(),
        "period_end": day.isoformat(), "purpose": "Marketing", "actions": ["read"], "record_count": 10,
    }  # fmt: skip
    response = client.post("/api/v1/declarations/", body, format="json")
    if response.status_code == 201:
        return
    if response.status_code not in (404, 405):
        sys.exit(f"declaration refused: {response.status_code} {response.content[:300]!r}")
    from django.db import transaction

    from contracts.models import UsageDeclaration
    from partnerships.publish import publish_on_commit

    with transaction.atomic():
        d = UsageDeclaration.objects.create(
            agreement=agreement, dataset=dataset, period_start=day, period_end=day, purpose="Marketing",
            actions=["read"], record_count=10, submitted_by=partner,
        )  # fmt: skip
        publish_on_commit("notifications.check_declaration", d.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=30.0, help="give up on one alert after this many seconds")
    args = parser.parse_args()
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("Set CELERY_BROKER_URL=redis://... (the worker and this process share it).")
    django_setup()
    from django.utils import timezone
    from rest_framework.test import APIClient

    tag = uuid.uuid4().hex[:8]
    agreement, dataset, partner, supervisor = province(tag)
    partner_client, supervisor_client = APIClient(), APIClient()
    partner_client.force_authenticate(partner)
    supervisor_client.force_authenticate(supervisor)
    log_path = Path(os.environ.get("TRACKER_VAR_DIR", ROOT / "var")) / f"latency-worker-{tag}.log"
    worker = start_worker(log_path)
    latencies = []
    try:
        today = timezone.localdate()
        for i in range(args.n):
            day = today - datetime.timedelta(days=1 + i)
            interval = f"{day.isoformat()}/{day.isoformat()}"
            started = time.perf_counter()
            submit(partner_client, agreement, dataset, partner, day)
            while True:
                page = supervisor_client.get(
                    "/api/v1/alerts/", {"agreement": agreement.pk, "kind": "purpose_not_permitted"}
                ).json()
                if any(a["interval"] == interval for a in page["results"]):
                    break
                if time.perf_counter() - started > args.timeout:
                    sys.exit(f"no alert after {args.timeout}s for declaration {i}; worker log: {log_path}")
                time.sleep(POLL_SECONDS)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    print(f"declarations={args.n} alert_latency_max_ms={latencies[-1]:.0f}")
    print(f"alert_latency_p50_ms={statistics.median(latencies):.0f}")
    print(f"alert_latency_p95_ms={p95:.0f}")


if __name__ == "__main__":
    main()

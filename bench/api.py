"""Declaration POSTs against a bare JSON endpoint on the same gunicorn server.

    DATABASE_URL=postgres://... python bench/api.py [--clients 8] [--seconds 15]

Starts gunicorn with the production settings (plus the floors of bench/urls.py),
loads demo-sized data, then runs the same number of concurrent keep-alive clients
against each endpoint in turn:

- ``bare``: parses the JSON body and answers; no database, no auth;
- ``authenticated``: the API's layers (token, permission, throttle, parsing, rendering);
- ``audited_write``: plus the caller's memberships and one audit entry committed;
- ``declare``: a usage declaration, as partners' gateways send them.

Prints each one's rps and ratio to bare, declare_p95_ms and, last, declare_vs_bare
(the ratios are what to compare across machines).
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> tuple[str, dict]:
    """Migrate, create an agreement with a grant and a partner token; return the token and a body."""
    script = r"""
import datetime, json
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
call_command("migrate", verbosity=0)
from contracts.models import Agreement
from partnerships.models import Organization
from tests import factories as f
from partnerships.actors import actor_for
if not Agreement.objects.filter(reference="BENCH-API-1").exists():
    gov = f.organization("Bench bureau", "government", "330000")
    ent = f.organization("Bench partner", "enterprise", "330100")
    officer = f.user(f"bench-officer-{gov.pk}", (gov, "officer"))
    partner = f.user(f"bench-partner-{ent.pk}", (ent, "partner"))
    ds = f.dataset(f"BENCH-DS-{gov.pk}", gov)
    a = f.agreement(officer, gov, ent, reference="BENCH-API-1")
    f.grant(officer, a, ds)
a = Agreement.objects.get(reference="BENCH-API-1")
from partnerships.models import Membership
user = Membership.objects.filter(organization=a.partner, role="partner").first().user
token, _ = Token.objects.get_or_create(user=user)
ds = a.permissions.first().dataset
today = timezone.localdate()
start = today.replace(day=1) - datetime.timedelta(days=1)
body = {"agreement": a.reference, "dataset": ds.code, "period_start": start.replace(day=1).isoformat(),
        "period_end": start.isoformat(), "purpose": "ImprovePublicServices", "actions": ["read"],
        "record_count": 120, "recipients": [], "note": "bench"}
print(json.dumps({"token": token.key, "body": body}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip().splitlines()[-1]
    data = json.loads(out)
    return data["token"], data["body"]


def run_clients(port: int, path: str, headers: dict, body: bytes, clients: int, seconds: float):
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            codes[response.status] = codes.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return len(latencies) / elapsed, p95 * 1000, statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/api.py runs against PostgreSQL: set DATABASE_URL=postgres://...")

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
    }
    token, body = prepare(env)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "partnerships.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        payload = json.dumps(body).encode()
        common = {"Content-Type": "application/json", "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        declare_headers = {**common, "Authorization": f"Token {token}"}
        endpoints = {
            "bare": ("/bench/bare/", common),
            "authenticated": ("/bench/authenticated/", declare_headers),
            "audited_write": ("/bench/audited-write/", declare_headers),
            "declare": ("/api/v1/declarations/", declare_headers),
        }
        for url, headers in endpoints.values():  # warm up
            run_clients(port, url, headers, payload, args.clients, 2)
        results = {
            name: run_clients(port, url, headers, payload, args.clients, args.seconds)
            for name, (url, headers) in endpoints.items()
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        # Each declaration published its scope check; no worker runs here, so drop them rather
        # than leave thousands queued for the next worker on this broker (bench/latency.py's).
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "partnerships", "purge", "-f"],
            cwd=ROOT, env=env, capture_output=True, check=False,
        )  # fmt: skip
    unexpected = {name: codes for name, (_, _, codes) in results.items() if set(codes) != {201}}
    if unexpected:
        sys.exit(f"unexpected statuses: {unexpected}")
    bare_rps = results["bare"][0]
    print(f"clients={args.clients}")
    for name, (rps, p95, _) in results.items():
        print(f"{name}_rps={rps:.0f}")
        print(f"{name}_p95_ms={p95:.1f}")
    for name in ("authenticated", "audited_write"):
        print(f"{name}_vs_bare={results[name][0] / bare_rps:.2f}")
    print(f"declare_vs_bare={results['declare'][0] / bare_rps:.2f}")


if __name__ == "__main__":
    main()

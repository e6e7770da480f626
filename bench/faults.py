"""Fault drills on PostgreSQL and Redis: ``python -m bench.faults [--drills gunicorn,celery,...]``.

- gunicorn: kill -9 a web worker in the middle of exam-day load; no acknowledged answer is
  lost and clients that retry succeed.
- celery: kill -9 the Celery worker while it issues certificates to newly eligible workers,
  start it again; every one of them holds exactly one certificate.
- redis: restart Redis (the broker) during exam-day load with certificates issued on passing;
  the work completes once it is back, nothing twice.
- postgres: stop PostgreSQL for 10 s; the site answers a friendly 503 page (never a stack
  trace) and recovers by itself.

The redis and postgres drills stop shared services on 127.0.0.1 (and always start them again);
they run only with ``--outage`` (``make faults`` passes it). Each drill prints PASS or FAIL with
its numbers and writes ``bench/results/faults.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import common
from .examday import Config, run_exam_day, summarise, verify

FAULT_DB = "gridacademy_bench_faults"
DRILL_LEVEL = "BD"
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _pg_version() -> str:
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir())
        if Path("/etc/postgresql").exists()
        else []
    )
    return versions[-1] if versions else "15"


def _learners(prefix: str, n: int):
    from . import fixtures
    from .examday import Learner

    users = fixtures.make_learners(prefix, n)
    creds = fixtures.sessions_for(users)
    return [Learner(u.username, c.session_id, c.csrf) for u, c in zip(users, creds, strict=True)]


def _close_db():
    from django.db import connection

    connection.close()


def ensure_drill_level(exam_code: str | None = None):
    """A badge for the drills: issued automatically for 1 year of service (celery drill) or
    for passing the bench exam (redis drill)."""
    from certification.models import CertificationLevel, LevelRequirement

    code = DRILL_LEVEL if exam_code is None else "BX"
    level, created = CertificationLevel.objects.get_or_create(
        code=code,
        defaults={
            "name": "压测演练徽章" if exam_code is None else "压测考试徽章",
            "rank": 90 if exam_code is None else 91,
            "is_badge": True,
            "validity_months": 24,
            "auto_issue": True,
        },
    )
    if created:
        if exam_code is None:
            LevelRequirement.objects.create(
                level=level, kind="service_years", years=1, sort_order=0
            )
        else:
            # Issued by the evaluation that passing the exam triggers (exam_passed → Celery);
            # the requirement itself is one every generated worker meets.
            LevelRequirement.objects.create(
                level=level, kind="service_years", years=1, sort_order=0
            )
    return level


def _certificate_counts(level_code: str, worker_ids) -> dict[int, int]:
    from django.db.models import Count

    from certification.models import Certificate

    rows = (
        Certificate.objects.filter(level__code=level_code, worker_id__in=list(worker_ids))
        .values("worker_id")
        .annotate(n=Count("id"))
    )
    return {r["worker_id"]: r["n"] for r in rows}


# --- drills ----------------------------------------------------------------------------------


def drill_gunicorn(db_url: str, exam_id: int, n: int) -> dict:
    learners = _learners("fg-", n)
    _close_db()
    cfg = Config(learners=n, answers=20, start_window=5, think=(0.3, 1.5), late_learners=0)
    killed: list[int] = []
    with common.Server(db_url, workers=2) as server:

        async def chaos():
            for delay in (6, 6):
                await asyncio.sleep(delay)
                pids = server.worker_pids()
                if pids:
                    subprocess.run(["kill", "-9", str(pids[0])], check=False)
                    killed.append(pids[0])
            return killed

        stats, wall, _c, _late = asyncio.run(
            run_exam_day(server.base, exam_id, learners, cfg, chaos)
        )
        respawned = len(server.worker_pids())
    summary = summarise(stats, wall)
    checks = verify(exam_id, learners)
    ok = (
        len(killed) > 0
        and summary["errors"] == 0
        and checks["lost_or_stale"] == 0
        and checks["attempts_without_result"] == 0
        and checks["learners_without_exactly_one_attempt"] == 0
    )
    print(
        f"[{common.verdict(ok)}] gunicorn kill -9: killed {len(killed)} workers mid-load "
        f"({respawned} running after); {checks['acknowledged_autosaves']} acknowledged answers, "
        f"{checks['lost_or_stale']} lost; {summary['retried']} failed requests retried, "
        f"{summary['errors']} gave up; {checks['attempts_without_result']} attempts without result"
    )
    return {"ok": ok, "killed": killed, "summary": summary, "checks": checks}


def drill_celery(db_url: str, broker: str, n: int, *, visibility: int) -> dict:
    import redis

    from certification.tasks import evaluate_worker
    from people.models import WorkerProfile

    ensure_drill_level()
    users = _learners("fc-", n)
    worker_ids = list(
        WorkerProfile.objects.filter(user__username__in=[u.username for u in users]).values_list(
            "pk", flat=True
        )
    )
    redis.Redis.from_url(broker).flushdb()
    for wid in worker_ids:
        evaluate_worker.delay(wid)
    _close_db()
    worker = common.CeleryWorker(db_url, broker, concurrency=2, name="drill").start()
    try:
        target = max(1, n // 4)
        deadline = time.monotonic() + 300
        issued_at_kill = 0
        while time.monotonic() < deadline:
            issued_at_kill = sum(_certificate_counts(DRILL_LEVEL, worker_ids).values())
            if issued_at_kill >= target:
                break
            time.sleep(0.2)
        worker.kill9()
        killed_at = time.monotonic()
        time.sleep(1)
        worker = common.CeleryWorker(db_url, broker, concurrency=2, name="drill").start()
        # Tasks the killed worker had reserved come back after the broker's visibility timeout.
        deadline = time.monotonic() + visibility + 240
        counts: dict[int, int] = {}
        while time.monotonic() < deadline:
            counts = _certificate_counts(DRILL_LEVEL, worker_ids)
            if len(counts) == len(worker_ids):
                break
            time.sleep(1)
        recovered_in = time.monotonic() - killed_at
        time.sleep(2)  # let any redelivered duplicate finish before counting
        counts = _certificate_counts(DRILL_LEVEL, worker_ids)
    finally:
        worker.stop()
        _close_db()
    missing = len(worker_ids) - len(counts)
    twice = sum(1 for v in counts.values() if v > 1)
    ok = missing == 0 and twice == 0 and issued_at_kill < len(worker_ids)
    print(
        f"[{common.verdict(ok)}] celery kill -9 during issuance: {n} eligible workers, "
        f"{issued_at_kill} issued when killed; after restart {len(counts)} hold the certificate, "
        f"{missing} missing, {twice} hold more than one (done {recovered_in:.0f} s after the kill; "
        f"broker visibility timeout {visibility} s)"
    )
    return {
        "ok": ok,
        "workers": n,
        "issued_at_kill": issued_at_kill,
        "holders": len(counts),
        "missing": missing,
        "more_than_one": twice,
        "seconds_to_complete_after_kill": round(recovered_in, 1),
        "visibility_timeout": visibility,
    }


def _redis_restart(down_seconds: float) -> None:
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
        check=False,
        capture_output=True,
    )
    time.sleep(down_seconds)
    _redis_start()


def _redis_start() -> None:
    if common.redis_available("redis://127.0.0.1:6379/0"):
        return
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=False)
    for _ in range(30):
        if common.redis_available("redis://127.0.0.1:6379/0"):
            return
        time.sleep(0.5)


def drill_redis(
    db_url: str, broker: str, exam_id: int, exam_code: str, n: int, down: float
) -> dict:
    from people.models import WorkerProfile

    ensure_drill_level(exam_code)
    learners = _learners("fr-", n)
    worker_ids = list(
        WorkerProfile.objects.filter(
            user__username__in=[ln.username for ln in learners]
        ).values_list("pk", flat=True)
    )
    _close_db()
    cfg = Config(learners=n, answers=10, start_window=3, think=(0.3, 1.2), late_learners=0)
    worker = common.CeleryWorker(db_url, broker, concurrency=1, name="redis-drill").start()
    restarted = {}
    try:
        with common.Server(db_url, workers=2, CELERY_BROKER_URL=broker) as server:

            async def chaos():
                await asyncio.sleep(8)
                t = time.monotonic()
                await asyncio.to_thread(_redis_restart, down)
                restarted["down_seconds"] = round(time.monotonic() - t, 1)
                return restarted

            stats, wall, _c, _late = asyncio.run(
                run_exam_day(server.base, exam_id, learners, cfg, chaos)
            )
        deadline = time.monotonic() + 180
        counts: dict[int, int] = {}
        while time.monotonic() < deadline:
            counts = _certificate_counts("BX", worker_ids)
            if len(counts) == len(worker_ids):
                break
            time.sleep(1)
        time.sleep(2)
        counts = _certificate_counts("BX", worker_ids)
    finally:
        worker.stop()
        _redis_start()
        _close_db()
    summary = summarise(stats, wall)
    checks = verify(exam_id, learners)
    missing = len(worker_ids) - len(counts)
    twice = sum(1 for v in counts.values() if v > 1)
    ok = (
        summary["errors"] == 0
        and checks["lost_or_stale"] == 0
        and checks["attempts_without_result"] == 0
        and missing == 0
        and twice == 0
    )
    print(
        f"[{common.verdict(ok)}] redis restart during load (down {restarted.get('down_seconds')} s): "
        f"{summary['statuses'].get('500', 0)} answers 500 while it was down, {summary['errors']} requests gave up; "
        f"{checks['lost_or_stale']} answers lost; certificates for passing learners: "
        f"{len(counts)}/{len(worker_ids)} issued, {twice} twice"
    )
    return {
        "ok": ok,
        "summary": summary,
        "checks": checks,
        "missing": missing,
        "more_than_one": twice,
        **restarted,
    }


def _probe(url: str, headers: dict) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError as e:
        return 0, repr(e)


def drill_postgres(db_url: str, down: float) -> dict:
    from .loadgen import auth_headers

    learner = _learners("fp-", 1)[0]
    _close_db()
    version = _pg_version()
    headers = auth_headers(learner.session_id, learner.csrf)
    seen: list[int] = []
    traces = 0
    unfriendly = 0
    recovered_after = None
    with common.Server(db_url, workers=2) as server:
        ok_before = _probe(server.base + "/", headers)[0]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"],
            check=False,
        )
        stopped = time.monotonic()
        try:
            while time.monotonic() - stopped < down:
                for path in ("/", "/api/v1/exams/"):
                    status, body = _probe(server.base + path, headers)
                    seen.append(status)
                    if "Traceback" in body or "OperationalError" in body or "psycopg" in body:
                        traces += 1
                    if path == "/" and status != 200 and "<html" not in body.lower():
                        unfriendly += 1
                time.sleep(0.5)
        finally:
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if _probe(server.base + "/", headers)[0] == 200:
                recovered_after = time.monotonic() - started
                break
            time.sleep(0.5)
    outage_statuses = sorted(set(seen))
    all_503 = bool(seen) and all(s == 503 for s in seen)
    ok = (
        ok_before == 200
        and traces == 0
        and unfriendly == 0
        and all_503
        and recovered_after is not None
    )
    back = f"after {recovered_after:.1f} s" if recovered_after is not None else "NOT within 60 s"
    print(
        f"[{common.verdict(ok)}] postgres stopped {down:g} s: {len(seen)} requests during the outage "
        f"answered {outage_statuses} (target 503 only), {traces} showed a stack trace, "
        f"{unfriendly} not a friendly page; site back {back}"
    )
    return {
        "ok": ok,
        "statuses_during_outage": {str(s): seen.count(s) for s in outage_statuses},
        "stack_traces": traces,
        "unfriendly": unfriendly,
        "recovered_after_seconds": None if recovered_after is None else round(recovered_after, 1),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--drills", default="gunicorn,celery,redis,postgres")
    p.add_argument("--learners", type=int, default=200, help="exam-day learners in the load drills")
    p.add_argument("--certificates", type=int, default=1000)
    p.add_argument("--outage", action="store_true", help="allow stopping shared Redis/PostgreSQL")
    p.add_argument("--visibility-timeout", type=int, default=20)
    p.add_argument("--name", default="faults")
    args = p.parse_args(argv)
    drills = [d.strip() for d in args.drills.split(",") if d.strip()]
    if not args.outage and ({"redis", "postgres"} & set(drills)):
        print(
            "redis/postgres drills stop shared services: pass --outage to run them; skipping them"
        )
        drills = [d for d in drills if d not in ("redis", "postgres")]
    db_url = common.pg_url(FAULT_DB)
    if not common.pg_available(db_url):
        print("fault drills need PostgreSQL on 127.0.0.1: skipped")
        return 1
    broker = common.redis_url()
    if not common.redis_available(broker):
        print("fault drills need Redis on 127.0.0.1: skipped")
        return 1
    print(f"== Fault drills: {', '.join(drills)}")
    common.recreate_database(db_url)
    env = {"CELERY_BROKER_URL": broker, "BENCH_VISIBILITY_TIMEOUT": str(args.visibility_timeout)}
    common.setup_django(db_url, **env)
    from . import fixtures

    fixtures.migrate_and_seed(seed=False)
    exam = fixtures.ensure_exam(questions=30)
    exam.time_limit_minutes = 60
    exam.pass_mark = 0
    exam.save(update_fields=["time_limit_minutes", "pass_mark"])
    results: dict[str, dict] = {}
    for drill in drills:
        t = time.perf_counter()
        if drill == "gunicorn":
            results[drill] = drill_gunicorn(db_url, exam.pk, args.learners)
        elif drill == "celery":
            results[drill] = drill_celery(
                db_url, broker, args.certificates, visibility=args.visibility_timeout
            )
        elif drill == "redis":
            results[drill] = drill_redis(db_url, broker, exam.pk, exam.code, args.learners, down=5)
        elif drill == "postgres":
            results[drill] = drill_postgres(db_url, down=10)
        else:
            print(f"unknown drill {drill!r}")
            continue
        results[drill]["seconds"] = round(time.perf_counter() - t, 1)
    ok = all(r["ok"] for r in results.values())
    common.write_result(args.name, {"drills": results, "all_passed": ok})
    print(f"\nfault drills: {sum(r['ok'] for r in results.values())}/{len(results)} PASS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

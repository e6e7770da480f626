"""Exam day on PostgreSQL: ``python -m bench.examday [--learners 1000]``.

Simulated learners start the same exam within ``--start-window`` seconds, each autosaves
``--answers`` answers with think time (revising some questions, resending some requests with
the same sequence number), then submits; a few submit twice at once. Clients behave like the
exam player: a failed or timed-out request is retried with the same seq. Afterwards the
database is checked: every acknowledged autosave is present with its latest value, every
learner has exactly one attempt and one result, and nothing was accepted after a deadline.

``run_exam_day`` is also the load of the fault drills (bench.faults), which pass a ``chaos``
coroutine that kills or restarts things while it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from . import common
from .loadgen import auth_headers

RETRIES = 8
LATE_SEQ = 10_000  # the refused autosave of the late checks


@dataclass
class Learner:
    username: str
    session_id: str
    csrf: str
    attempt: int | None = None
    questions: list = field(default_factory=list)
    sent: dict = field(default_factory=dict)  # qid -> {seq: answer}
    acked: dict = field(default_factory=dict)  # qid -> (seq, answer), highest acknowledged
    submitted: bool = False
    late: bool = False


@dataclass
class Stats:
    latencies: dict = field(default_factory=lambda: {"start": [], "autosave": [], "submit": []})
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # requests that failed for good (after the client's retries)
    retried: int = 0  # transient failures a retry recovered from
    same_seq_resends: int = 0
    double_submits: int = 0
    error_samples: list = field(default_factory=list)


async def _request(session, stats: Stats, kind: str, method: str, url: str, learner, body=None):
    """One logical request with the player's retry policy; returns (status, json) or None."""
    headers = auth_headers(learner.session_id, learner.csrf, json_body=True)
    data = json.dumps(body if body is not None else {})
    for attempt in range(RETRIES):
        start = time.perf_counter()
        try:
            async with session.request(method, url, headers=headers, data=data) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            status, raw = 0, repr(exc).encode()
        elapsed = time.perf_counter() - start
        stats.statuses[status] += 1
        if status in (0, 502, 503, 504) or status >= 500:
            stats.retried += 1
            await asyncio.sleep(min(0.25 * 2**attempt, 4) * (0.5 + random.random()))  # noqa: S311
            continue
        stats.latencies[kind].append(elapsed)
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        return status, payload
    stats.errors += 1
    if len(stats.error_samples) < 8:
        stats.error_samples.append(f"{method} {url}: gave up after {RETRIES} tries")
    return None


async def _learner_flow(session, base, exam_id, learner: Learner, cfg, stats: Stats, rng):
    await asyncio.sleep(rng.uniform(0, cfg.start_window))
    got = await _request(
        session, stats, "start", "POST", f"{base}/api/v1/exams/{exam_id}/attempts/", learner
    )
    if got is None or got[0] not in (200, 201):
        stats.errors += got is not None
        if got is not None and len(stats.error_samples) < 8:
            stats.error_samples.append(f"start {learner.username}: {got[0]} {str(got[1])[:150]}")
        return
    attempt = got[1]
    learner.attempt = attempt["id"]
    learner.questions = [
        (q["id"], [o["id"] for o in q.get("options") or []]) for q in attempt["questions"]
    ]
    revisit = max(1, min(len(learner.questions), cfg.answers * 3 // 5))
    for n in range(1, cfg.answers + 1):
        await asyncio.sleep(rng.uniform(*cfg.think))
        qid, options = learner.questions[(n * 7) % revisit]
        answer = options[rng.randrange(len(options))] if options else None
        learner.sent.setdefault(qid, {})[n] = answer
        url = f"{base}/api/v1/attempts/{learner.attempt}/answers/{qid}/"
        sends = 2 if rng.random() < cfg.resend_rate else 1
        for k in range(sends):
            if k:
                stats.same_seq_resends += 1
            got = await _request(
                session, stats, "autosave", "PUT", url, learner, {"answer": answer, "seq": n}
            )
            if got is None:
                break
            status, payload = got
            if status == 200 or (
                status == 409
                and payload.get("code") == "stale_seq"
                and payload.get("current_seq", 0) >= n
            ):
                # A resend of an already stored seq is acknowledged by the server's 409.
                if qid not in learner.acked or learner.acked[qid][0] < n:
                    learner.acked[qid] = (n, answer)
            else:
                stats.errors += 1
                if len(stats.error_samples) < 8:
                    stats.error_samples.append(f"PUT {url}: {status} {str(payload)[:150]}")
                break
    if learner.late:
        return  # checked separately: its deadline is moved into the past first
    await _submit(session, base, learner, cfg, stats, rng)


async def _submit(session, base, learner, cfg, stats, rng):
    url = f"{base}/api/v1/attempts/{learner.attempt}/submit/"
    twice = rng.random() < cfg.double_submit_rate
    calls = [_request(session, stats, "submit", "POST", url, learner)]
    if twice:
        stats.double_submits += 1
        calls.append(_request(session, stats, "submit", "POST", url, learner))
    results = await asyncio.gather(*calls)
    for got in results:
        if got is None:
            continue
        if got[0] == 200 and got[1].get("status") in ("graded", "marking"):
            learner.submitted = True
        else:
            stats.errors += 1
            if len(stats.error_samples) < 8:
                stats.error_samples.append(
                    f"submit {learner.username}: {got[0]} {str(got[1])[:150]}"
                )


@dataclass
class Config:
    learners: int = 1000
    answers: int = 20
    start_window: float = 60.0
    think: tuple = (2.0, 8.0)
    resend_rate: float = 0.1
    double_submit_rate: float = 0.01
    late_learners: int = 5
    connections: int = 200
    timeout: float = 30.0


async def run_exam_day(base: str, exam_id: int, learners: list[Learner], cfg: Config, chaos=None):
    stats = Stats()
    for ln in learners[: cfg.late_learners]:
        ln.late = True
    conn = aiohttp.TCPConnector(limit=cfg.connections, force_close=True)
    timeout = aiohttp.ClientTimeout(total=cfg.timeout)
    started = time.perf_counter()
    async with aiohttp.ClientSession(
        connector=conn, cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout
    ) as session:
        flows = [
            _learner_flow(session, base, exam_id, ln, cfg, stats, random.Random(i))  # noqa: S311
            for i, ln in enumerate(learners)
        ]
        tasks = [asyncio.ensure_future(f) for f in flows]
        chaos_task = asyncio.ensure_future(chaos()) if chaos else None
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - started
        chaos_result = await chaos_task if chaos_task else None
        late = await _late_checks(
            session, base, [ln for ln in learners if ln.late and ln.attempt], stats
        )
    return stats, wall, chaos_result, late


async def _late_checks(session, base, late_learners, stats):
    """Move the deadline of a few attempts into the past, then autosave and submit: the answer
    must be refused (409 deadline_passed) and the stored one must not change."""
    if not late_learners:
        return {"checked": 0, "refused": 0}
    from asgiref.sync import sync_to_async

    await sync_to_async(_expire_deadlines)([ln.attempt for ln in late_learners])
    refused = 0
    for ln in late_learners:
        qid, options = ln.questions[0]
        seq = LATE_SEQ
        got = await _request(
            session,
            stats,
            "autosave",
            "PUT",
            f"{base}/api/v1/attempts/{ln.attempt}/answers/{qid}/",
            ln,
            {"answer": options[0] if options else None, "seq": seq},
        )
        if got and got[0] == 409 and got[1].get("code") in ("deadline_passed", "attempt_closed"):
            refused += 1
        await _submit(session, base, ln, Config(double_submit_rate=0), stats, random.Random(0))  # noqa: S311
    return {"checked": len(late_learners), "refused": refused}


def _expire_deadlines(attempt_ids):
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from assessments.models import Attempt

    past = timezone.now() - dt.timedelta(seconds=settings.ASSESSMENTS_GRACE_SECONDS + 5)
    Attempt.objects.filter(pk__in=attempt_ids).update(deadline=past)
    connection.close()


def verify(exam_id: int, learners: list[Learner]) -> dict:
    """Check the database against what the clients were told."""
    from django.conf import settings
    from django.db import connection

    from assessments.models import Attempt, AttemptQuestion

    users = {ln.username for ln in learners}
    per_user = Counter(
        Attempt.objects.filter(exam_id=exam_id, user__username__in=users).values_list(
            "user__username", flat=True
        )
    )
    attempts = {a.pk: a for a in Attempt.objects.filter(exam_id=exam_id)}
    items = {
        (i.attempt_id, i.question_id): i
        for i in AttemptQuestion.objects.filter(attempt__exam_id=exam_id)
    }
    lost, stale, acked_total = [], [], 0
    for ln in learners:
        for qid, (seq, answer) in ln.acked.items():
            acked_total += 1
            item = items.get((ln.attempt, qid))
            if item is None or item.seq < seq:
                lost.append((ln.username, qid, seq, item.seq if item else None))
            elif item.seq == seq and item.answer != answer:
                stale.append((ln.username, qid, seq, item.answer, answer))
            elif item.seq > seq and ln.sent.get(qid, {}).get(item.seq, "∅") != item.answer:
                stale.append((ln.username, qid, item.seq, item.answer, "not sent"))
    grace = dt.timedelta(seconds=settings.ASSESSMENTS_GRACE_SECONDS)
    moved = {ln.attempt for ln in learners if ln.late}  # deadline moved into the past
    late_saves = [
        (i.attempt_id, i.question_id)
        for i in items.values()
        if (i.attempt_id in moved and i.seq >= LATE_SEQ)
        or (
            i.attempt_id not in moved
            and i.saved_at
            and attempts[i.attempt_id].deadline
            and i.saved_at > attempts[i.attempt_id].deadline + grace
        )
    ]
    late_submits = [
        a.pk
        for a in attempts.values()
        if a.deadline and a.submitted_at and a.submitted_at > a.deadline
    ]
    started = [ln for ln in learners if ln.attempt]
    no_result = [
        ln.username
        for ln in started
        if attempts.get(ln.attempt) is None or attempts[ln.attempt].status == "in_progress"
    ]
    not_one = [u for u in users if per_user.get(u, 0) != 1]
    connection.close()
    return {
        "learners": len(learners),
        "started": len(started),
        "acknowledged_autosaves": acked_total,
        "lost_or_stale": len(lost) + len(stale),
        "lost_samples": lost[:5],
        "stale_samples": [list(map(str, s)) for s in stale[:5]],
        "learners_without_exactly_one_attempt": len(not_one),
        "attempts_without_result": len(no_result),
        "answers_saved_after_deadline": len(late_saves),
        "submissions_after_deadline": len(late_submits),
    }


def summarise(stats: Stats, wall: float) -> dict:
    out = {
        "wall_seconds": round(wall, 1),
        "errors": stats.errors,
        "retried": stats.retried,
        "same_seq_resends": stats.same_seq_resends,
        "double_submits": stats.double_submits,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "error_samples": stats.error_samples,
    }
    total = 0
    for kind, lat in stats.latencies.items():
        ms = sorted(x * 1000 for x in lat)
        total += len(ms)
        out[kind] = {
            "requests": len(ms),
            "p50_ms": _r(common.percentile(ms, 50)),
            "p95_ms": _r(common.percentile(ms, 95)),
            "p99_ms": _r(common.percentile(ms, 99)),
        }
    allms = sorted(x * 1000 for lat in stats.latencies.values() for x in lat)
    out["all"] = {
        "requests": total,
        "rps": round(total / wall, 1) if wall else 0,
        "p50_ms": _r(common.percentile(allms, 50)),
        "p95_ms": _r(common.percentile(allms, 95)),
        "p99_ms": _r(common.percentile(allms, 99)),
    }
    return out


def _r(v):
    return None if v is None else round(v, 1)


def prepare(db_url: str, learners: int, *, fresh: bool = True) -> tuple[int, list[Learner]]:
    """Database, exam (50 questions, 60-minute limit) and logged-in learner sessions."""
    from . import fixtures

    if fresh:
        fixtures.migrate_and_seed(seed=False)
    exam = fixtures.ensure_exam(questions=50)
    exam.time_limit_minutes = 60
    exam.save(update_fields=["time_limit_minutes"])
    users = fixtures.make_learners("exam-l", learners)
    creds = fixtures.sessions_for(users)
    from django.db import connection

    connection.close()
    return exam.pk, [
        Learner(u.username, c.session_id, c.csrf) for u, c in zip(users, creds, strict=True)
    ]


def report(title: str, summary: dict, checks: dict, p95_target: float = 500.0) -> bool:
    a = summary["all"]
    print(f"\n{title}")
    rows = [
        [
            k,
            summary[k]["requests"],
            summary[k]["p50_ms"],
            summary[k]["p95_ms"],
            summary[k]["p99_ms"],
        ]
        for k in ("start", "autosave", "submit", "all")
    ]
    print(common.table(["request", "count", "p50 ms", "p95 ms", "p99 ms"], rows))
    print(
        f"throughput {a['rps']} rps over {summary['wall_seconds']} s; errors {summary['errors']}; "
        f"transient failures retried {summary['retried']}; same-seq resends {summary['same_seq_resends']}; "
        f"double submits {summary['double_submits']}"
    )
    ok_checks = (
        checks["lost_or_stale"] == 0
        and checks["learners_without_exactly_one_attempt"] == 0
        and checks["attempts_without_result"] == 0
        and checks["answers_saved_after_deadline"] == 0
        and checks["submissions_after_deadline"] == 0
        and checks.get("late_refused", 0) == checks.get("late_checked", 0)
    )
    p95_ok = a["p95_ms"] is not None and a["p95_ms"] < p95_target
    print(
        common.table(
            ["check", "value", "target", ""],
            [
                ["errors", summary["errors"], 0, common.verdict(summary["errors"] == 0)],
                ["acknowledged autosaves", checks["acknowledged_autosaves"], "-", ""],
                [
                    "lost or stale answers",
                    checks["lost_or_stale"],
                    0,
                    common.verdict(checks["lost_or_stale"] == 0),
                ],
                [
                    "learners without exactly 1 attempt",
                    checks["learners_without_exactly_one_attempt"],
                    0,
                    common.verdict(checks["learners_without_exactly_one_attempt"] == 0),
                ],
                [
                    "attempts without a result",
                    checks["attempts_without_result"],
                    0,
                    common.verdict(checks["attempts_without_result"] == 0),
                ],
                [
                    "answers saved after deadline",
                    checks["answers_saved_after_deadline"],
                    0,
                    common.verdict(checks["answers_saved_after_deadline"] == 0),
                ],
                [
                    "late autosaves refused",
                    f"{checks.get('late_refused', 0)}/{checks.get('late_checked', 0)}",
                    "all",
                    common.verdict(checks.get("late_refused", 0) == checks.get("late_checked", 0)),
                ],
                ["p95 latency (ms)", a["p95_ms"], f"< {p95_target:g}", common.verdict(p95_ok)],
            ],
        )
    )
    return ok_checks and summary["errors"] == 0 and p95_ok


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", type=int, default=1000)
    p.add_argument("--answers", type=int, default=20)
    p.add_argument("--start-window", type=float, default=60.0)
    p.add_argument("--think-min", type=float, default=2.0)
    p.add_argument("--think-max", type=float, default=8.0)
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    p.add_argument("--db", default=None)
    p.add_argument("--name", default="examday", help="results file name")
    p.add_argument("--no-celery", action="store_true", help="run tasks eagerly (no broker)")
    p.add_argument(
        "--strict-latency",
        action="store_true",
        help="fail (exit 1) on a missed p95 target too, not only on lost answers",
    )
    args = p.parse_args(argv)

    db_url = args.db or common.pg_url()
    if not common.is_pg(db_url) or not common.pg_available(db_url):
        print(f"exam day needs PostgreSQL: {db_url} is not reachable; skipped")
        return 0
    broker = None if args.no_celery or not common.redis_available() else common.redis_url()
    print(
        f"== Exam day: {args.learners} learners x {args.answers} autosaves on PostgreSQL, "
        f"gunicorn {args.workers} workers, Celery {'worker via ' + broker if broker else 'eager'}"
    )
    common.recreate_database(db_url)
    extra = {"CELERY_BROKER_URL": broker} if broker else {}
    common.setup_django(db_url, **extra)
    t0 = time.perf_counter()
    exam_id, learners = prepare(db_url, args.learners)
    print(f"   prepared in {time.perf_counter() - t0:.0f} s")
    cfg = Config(
        learners=args.learners,
        answers=args.answers,
        start_window=args.start_window,
        think=(args.think_min, args.think_max),
    )
    worker = None
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()
        worker = common.CeleryWorker(db_url, broker, name="examday").start()
    try:
        with common.Server(db_url, workers=args.workers, **extra) as server:
            stats, wall, _chaos, late = asyncio.run(
                run_exam_day(server.base, exam_id, learners, cfg)
            )
    finally:
        if worker:
            worker.stop()
    summary = summarise(stats, wall)
    checks = verify(exam_id, learners)
    checks["late_checked"], checks["late_refused"] = late["checked"], late["refused"]
    ok = report("Exam day", summary, checks)
    path = common.write_result(
        args.name,
        {
            "config": cfg.__dict__,
            "gunicorn_workers": args.workers,
            "celery": bool(broker),
            "summary": summary,
            "checks": checks,
            "all_targets_met": ok,
        },
    )
    print(f"results in {path.relative_to(common.ROOT)}")
    integrity = (
        summary["errors"] == 0
        and checks["lost_or_stale"] == 0
        and checks["attempts_without_result"] == 0
        and checks["learners_without_exactly_one_attempt"] == 0
        and checks["answers_saved_after_deadline"] == 0
    )
    return 0 if (ok or (integrity and not args.strict_latency)) else 1


if __name__ == "__main__":
    sys.exit(main())

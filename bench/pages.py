"""Page throughput against the ceiling: ``python -m bench.pages [--seconds 10] [--concurrency 4]``.

1. A fresh benchmark database (SQLite ``var/bench.sqlite3``; PostgreSQL ``gridacademy_bench``
   when DATABASE_URL is PostgreSQL), migrated, demo data, bench fixtures. Background tasks
   (the certification evaluation a finished simulation queues) run eagerly inside the request,
   unless CELERY_BROKER_URL is set: then a real Celery worker takes them from that broker.
2. Queries per request of each page, counted in-process with the test client.
3. gunicorn (2 sync workers, production-like settings) on 127.0.0.1; this process loads it
   with aiohttp for a bounded time per page, the ceiling (``/__ceiling__``) before and after.
4. A table and ``bench/results/pages-<engine>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import sys
import urllib.parse
import urllib.request

from . import common
from .loadgen import auth_headers, get_step, run_load

# Targets of issue 10 as a share of the ceiling's requests per second.
TARGETS = {
    "home": None,
    "catalogue": 3.0,
    "course": 3.0,
    "lesson": 3.0,
    "case search": 2.0,
    "case page": 3.0,
    "exam autosave": 10.0,
    "simulation choose": 10.0,
}


def login_over_http(base: str, username: str, password: str) -> tuple[str, str]:
    """Log in through the real login form; returns (sessionid, csrftoken)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    req = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base})
    opener.open(req, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("login as demo-learner failed: no session cookie")
    return cookies["sessionid"], cookies["csrftoken"]


def prepare(db_url: str, concurrency: int) -> dict:
    """Build the database and return the plan: URLs, attempts, runs, sessions."""
    from . import fixtures

    fixtures.migrate_and_seed()
    learner = fixtures.demo_learner()
    index, course, lesson = fixtures.ensure_course()
    fixtures.enrol(learner, course)
    case_index, case = fixtures.ensure_cases()
    exam = fixtures.ensure_exam(questions=max(20, concurrency))
    writers = fixtures.make_learners("bench-w", concurrency)
    attempts = fixtures.start_attempts(exam, writers)
    scenario = fixtures.ensure_scenario()
    creds = fixtures.sessions_for(writers)
    plan = {
        "urls": {
            "home": "/",
            "catalogue": index.url if index else None,
            "course": course.url,
            "lesson": lesson.url,
            "case search": (
                f"{case_index.url}?q={urllib.parse.quote(fixtures.SEARCH_WORD)}"
                if case_index
                else None
            ),
            "case page": case.url if case else None,
        },
        "attempts": attempts,
        "scenario": scenario.pk if scenario else None,
        "writers": [[c.session_id, c.csrf] for c in creds],
    }
    return plan


def count_queries(plan: dict) -> dict[str, int | None]:
    """Queries per request of each page (second request, caches warm), via the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from . import fixtures

    client = Client()
    client.force_login(fixtures.demo_learner())
    counts: dict[str, int | None] = {}
    for name, url in plan["urls"].items():
        if not url:
            counts[name] = None
            continue
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        counts[name] = len(ctx) if resp.status_code == 200 else None
    # Autosave and simulation choose, as one of the writer learners.
    from django.contrib.auth import get_user_model

    first = get_user_model().objects.get(username="bench-w000000")
    writer = Client()
    writer.force_login(first)
    att = plan["attempts"][0]
    qid, options = att["questions"][0]
    for seq in (1_000_000, 1_000_001):
        with CaptureQueriesContext(connection) as ctx:
            resp = writer.put(
                f"/api/v1/attempts/{att['attempt']}/answers/{qid}/",
                data=json.dumps({"answer": options[0], "seq": seq}),
                content_type="application/json",
            )
    counts["exam autosave"] = len(ctx) if resp.status_code == 200 else None
    counts["simulation choose"] = None
    if plan["scenario"]:
        run = writer.post(
            f"/api/v1/simulations/{plan['scenario']}/runs/",
            data="{}",
            content_type="application/json",
        ).json()
        if run.get("node"):
            with CaptureQueriesContext(connection) as ctx:
                resp = writer.post(
                    f"/api/v1/runs/{run['id']}/choose/",
                    data=json.dumps({"choice": run["node"]["choices"][0]["id"]}),
                    content_type="application/json",
                )
            counts["simulation choose"] = len(ctx) if resp.status_code == 200 else None
    connection.close()
    return counts


def autosave_step(base: str, plan: dict):
    seqs: dict[int, int] = {}

    async def step(session, i, rec):
        att = plan["attempts"][i]
        sid, csrf = plan["writers"][i]
        n = seqs.get(i, 2_000_000) + 1  # above the query-count step's seqs
        seqs[i] = n
        qid, options = att["questions"][n % len(att["questions"])]
        await rec.timed(
            session,
            "PUT",
            f"{base}/api/v1/attempts/{att['attempt']}/answers/{qid}/",
            headers=auth_headers(sid, csrf, json_body=True),
            data=json.dumps({"answer": options[n % len(options)], "seq": n}),
        )

    return step


def choose_step(base: str, plan: dict):
    current: dict[int, dict | None] = {}

    async def step(session, i, rec):
        sid, csrf = plan["writers"][i]
        headers = auth_headers(sid, csrf, json_body=True)
        run = current.get(i)
        if not run or not run.get("node"):
            # Untimed: start (or resume) a run.
            async with session.post(
                f"{base}/api/v1/simulations/{plan['scenario']}/runs/", headers=headers, data="{}"
            ) as resp:
                run = await resp.json(content_type=None)
            current[i] = run
            if not run.get("node"):
                return
        status, body = await rec.timed(
            session,
            "POST",
            f"{base}/api/v1/runs/{run['id']}/choose/",
            headers=headers,
            data=json.dumps({"choice": run["node"]["choices"][0]["id"]}),
        )
        current[i] = json.loads(body) if status == 200 else None

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--db", default=None, help="database URL (default: see module doc)")
    parser.add_argument(
        "--broker",
        default=os.environ.get("CELERY_BROKER_URL", ""),
        help="Celery broker for background tasks (default: CELERY_BROKER_URL; none = eager)",
    )
    args = parser.parse_args(argv)

    db_url = args.db or common.default_db_url()
    engine = "postgresql" if common.is_pg(db_url) else "sqlite"
    tasks = f"Celery worker via {args.broker}" if args.broker else "tasks eager"
    print(
        f"== Page throughput ({engine}, {tasks}, {args.concurrency} clients, "
        f"{args.seconds:g} s each)"
    )
    common.recreate_database(db_url)
    # The page run hammers one account per client: lift the per-user API rate for it.
    extra = {"API_THROTTLE_USER": "100000000/min", "CELERY_BROKER_URL": args.broker}
    common.setup_django(db_url, **extra)
    plan = prepare(db_url, args.concurrency)
    queries = count_queries(plan)

    results: dict[str, dict] = {}
    worker = (
        common.CeleryWorker(db_url, args.broker, name="pages")
        if args.broker
        else contextlib.nullcontext()
    )
    with worker, common.Server(db_url, workers=2, **extra) as server:
        base = server.base
        sid, csrf = login_over_http(base, "demo-learner", "grid-demo-2026")
        headers = auth_headers(sid, csrf)

        def measure(name: str, step) -> None:
            results[name] = run_load(step, concurrency=args.concurrency, seconds=args.seconds)
            r = results[name]
            print(f"   {name:18} {r['rps']:8.1f} rps  p95 {r['p95_ms']} ms  errors {r['errors']}")

        measure("ceiling (before)", get_step(base + "/__ceiling__", {}))
        for name, url in plan["urls"].items():
            if url:
                measure(name, get_step(base + url, headers))
        measure("exam autosave", autosave_step(base, plan))
        if plan["scenario"]:
            measure("simulation choose", choose_step(base, plan))
        measure("ceiling (after)", get_step(base + "/__ceiling__", {}))

    ceiling = (results["ceiling (before)"]["rps"] + results["ceiling (after)"]["rps"]) / 2
    rows = []
    all_ok = True
    for name in ["ceiling (before)", *TARGETS, "ceiling (after)"]:
        r = results.get(name)
        if r is None:
            rows.append([name, None, None, None, None, None, None, None, None, "not measured"])
            all_ok = False
            continue
        ratio = 100 * r["rps"] / ceiling if ceiling else 0
        target = TARGETS.get(name)
        met = (target is None or ratio >= target) and r["errors"] == 0
        r.update({"ratio_pct": round(ratio, 2), "target_pct": target, "queries": queries.get(name)})
        if name in TARGETS:
            all_ok &= met
        rows.append(
            [
                name,
                r["rps"],
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["errors"],
                queries.get(name),
                f"{ratio:.2f}%",
                f">= {target}%" if target else "-",
                ("met" if met else "MISSED") if name in TARGETS else "",
            ]
        )
    print()
    print(
        common.table(
            [
                "page",
                "rps",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "queries",
                "of ceiling",
                "target",
                "",
            ],
            rows,
        )
    )
    path = common.write_result(
        f"pages-{engine}" + ("-celery" if args.broker else ""),
        {
            "engine": engine,
            "tasks": tasks,
            "concurrency": args.concurrency,
            "seconds_per_page": args.seconds,
            "gunicorn_workers": 2,
            "ceiling_rps": round(ceiling, 1),
            "urls": plan["urls"],
            "pages": results,
            "all_targets_met": all_ok,
        },
    )
    print(f"\nceiling {ceiling:.1f} rps; results in {path.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

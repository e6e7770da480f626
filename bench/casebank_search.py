"""Case-library search benchmark: 10,000 generated cases, search latency p50/p95.

    .venv/bin/python -m bench.casebank_search                 # SQLite (var/bench-casebank.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \\
        .venv/bin/python -m bench.casebank_search             # SQLite, then PostgreSQL
    .venv/bin/python -m bench.casebank_search --cases 2000 --runs 100   # a quicker look

Each database is throwaway (SQLite file under var/, ``gridacademy_bench_casebank`` on the
PostgreSQL server of DATABASE_URL) and is loaded in its own process. The cases are written in bulk
(the Wagtail page tree rows, the case rows, legal references, tags, 有用 marks) and indexed with
``casebank.search.index_rows`` — the same segmentation and rows as publishing a case. Then every
query of ``QUERIES`` runs through ``casebank.library.search_library`` (results, ranking,
highlighted snippets and all five facet counts: exactly what ``/cases/`` computes), and through
the whole ``/cases/`` page with a logged-in test client. Target: p95 < 150 ms.

Results: ``bench/results/casebank_search.json``. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time

from bench.common import (
    PY,
    ROOT,
    default_db_url,
    is_pg,
    percentile,
    pg_available,
    pg_url,
    recreate_database,
    setup_django,
    table,
    write_result,
)

TARGET_P95_MS = 150.0
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-casebank.sqlite3'}"
PG_DB_NAME = "gridacademy_bench_casebank"

# What people type, and typical facet combinations (shareable URLs of /cases/).
QUERIES: list[dict[str, str]] = [
    {"q": "调解"},
    {"q": "人民调解"},
    {"q": "电动自行车"},
    {"q": "独居老人"},
    {"q": "燃气泄漏"},
    {"q": "12345 工单"},
    {"q": "消防通道"},
    {"q": "物业 维修资金"},
    {"q": "噪声 纠纷"},
    {"q": "个人信息"},
    {"q": "调解", "scenario": "mediation"},
    {"q": "老人", "year": "2025"},
    {"q": "台账", "sort": "useful"},
    {"q": "回访", "sort": "recent"},
    {"scenario": "emergency"},
    {"law": "LAW"},
    {"sort": "useful"},
    {},
    {"q": "！？。"},
    {"q": "网格员入户走访核实情况并登记台账" * 10},
]


# --- data --------------------------------------------------------------------------------------


def _pools():
    from casebank.demo_content import CASES

    def sentences(text):
        return [s.strip() + "。" for s in text.replace("；", "。").split("。") if s.strip()]

    pools = {"background": [], "outcome": [], "lessons": [], "red_lines": [], "steps": []}
    for case in CASES:
        pools["background"] += sentences(case["background"])
        pools["outcome"] += sentences(case["outcome"])
        pools["lessons"] += sentences(case["lessons"])
        pools["red_lines"] += sentences(case["red_lines"])
        pools["steps"] += case["steps"]
    methods = [c["method_name"] for c in CASES]
    claims = [c["title"].split("」", 1)[-1].lstrip("—") for c in CASES]
    tags = sorted({t for c in CASES for t in c["tags"]})
    return pools, methods, claims, tags


def load(n_cases: int, seed: int = 7) -> dict:
    """Write ``n_cases`` live cases in bulk; returns counts and timings."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag
    from wagtail.models import Locale, Page

    from casebank.demo_content import LAWS
    from casebank.models import (
        CaseLawReference,
        CasePage,
        CasePageTag,
        CaseSearchDocument,
        CaseSearchTerm,
        Law,
        ScenarioType,
        UsefulMark,
    )
    from casebank.search import index_rows, publication_year
    from casebank.setup import setup_case_library
    from lms import demo as site_demo
    from people.models import OrgLevel, OrgUnit, User

    rng = random.Random(seed)
    started = time.perf_counter()
    home = site_demo.seed()
    index = setup_case_library(home)
    city = OrgUnit.add_root(code="bench-city", name="基准市", level=OrgLevel.CITY)
    district = city.add_child(code="bench-d", name="基准区", level=OrgLevel.DISTRICT)
    communities = []
    for s in range(4):
        street = district.add_child(
            code=f"bench-s{s}", name=f"第{s + 1}街道", level=OrgLevel.STREET
        )
        for c in range(5):
            communities.append(
                street.add_child(
                    code=f"bench-s{s}-c{c}",
                    name=f"第{s + 1}街道第{c + 1}社区",
                    level=OrgLevel.COMMUNITY,
                )
            )
    laws = [Law.objects.create(name=name, short_name=short) for name, short in LAWS.values()]
    pools, methods, claims, tag_names = _pools()
    tags = [Tag.objects.create(name=name, slug=f"t{i}") for i, name in enumerate(tag_names)]
    users = User.objects.bulk_create(
        [User(username=f"bench-user-{i}", name=f"用户{i}") for i in range(60)]
    )
    scenario_values = list(ScenarioType.values)
    ct = ContentType.objects.get_for_model(CasePage)
    locale = Locale.get_default()
    fields = list(CasePage._meta.local_concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    insert_sql = (
        f"INSERT INTO {connection.ops.quote_name(CasePage._meta.db_table)} ({columns}) "
        f"VALUES ({placeholders})"
    )
    terms_written = 0
    batch = 500
    for start in range(0, n_cases, batch):
        with transaction.atomic():
            count = min(batch, n_cases - start)
            specs, pages = [], []
            for i in range(start, start + count):
                when = timezone.make_aware(
                    dt.datetime(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
                )
                title = f"「{rng.choice(methods)}{i}」{rng.choice(claims)}"
                slug = f"bench-{i}"
                specs.append(
                    {
                        "title": title,
                        "method_name": rng.choice(methods),
                        "scenario_type": rng.choice(scenario_values),
                        "origin": rng.choice(communities),
                        "background": "".join(rng.sample(pools["background"], 4)),
                        "steps": rng.sample(pools["steps"], rng.randint(3, 6)),
                        "outcome": "".join(rng.sample(pools["outcome"], 2)),
                        "lessons": "".join(rng.sample(pools["lessons"], 2)),
                        "red_lines": rng.choice(pools["red_lines"]),
                        "laws": rng.sample(laws, rng.randint(1, 3)),
                        "tags": rng.sample(tags, rng.randint(1, 3)),
                    }
                )
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        path=index.path + Page._int2str(i + 1).rjust(Page.steplen, "0"),
                        depth=index.depth + 1,
                        numchild=0,
                        url_path=f"{index.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=when,
                        last_published_at=when,
                        content_type=ct,
                        locale=locale,
                    )
                )
            pages = Page.objects.bulk_create(pages)
            rows, refs, tagged, docs, terms = [], [], [], [], []
            for page, spec in zip(pages, specs, strict=True):
                case = CasePage(
                    page_ptr_id=page.pk,
                    method_name=spec["method_name"],
                    scenario_type=spec["scenario_type"],
                    origin_org_unit_id=spec["origin"].pk,
                    background=spec["background"],
                    steps=[
                        ("step", {"action": a, "tools": t, "legal_basis": b})
                        for a, t, b in spec["steps"]
                    ],
                    outcome=spec["outcome"],
                    lessons=spec["lessons"],
                    red_lines=spec["red_lines"],
                )
                rows.append(
                    [f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields]
                )
                articles = [f"第{rng.randint(1, 120)}条" for _ in spec["laws"]]
                refs += [
                    CaseLawReference(page_id=page.pk, law=law, article=art, sort_order=k)
                    for k, (law, art) in enumerate(zip(spec["laws"], articles, strict=True))
                ]
                tagged += [CasePageTag(content_object_id=page.pk, tag=t) for t in spec["tags"]]
                body = "\n".join(
                    [spec["background"]]
                    + [x for step in spec["steps"] for x in step if x]
                    + [spec["outcome"], spec["lessons"], spec["red_lines"]]
                    + [f"{law.name}{art}" for law, art in zip(spec["laws"], articles, strict=True)]
                    + [t.name for t in spec["tags"]]
                    + [spec["origin"].name]
                )
                terms += index_rows(page.pk, f"{spec['title']} {spec['method_name']}", body)
                docs.append(
                    CaseSearchDocument(
                        case_id=page.pk, body=body, year=publication_year(page.first_published_at)
                    )
                )
            with connection.cursor() as cursor:
                cursor.executemany(insert_sql, rows)
            CaseLawReference.objects.bulk_create(refs)
            CasePageTag.objects.bulk_create(tagged)
            CaseSearchDocument.objects.bulk_create(docs)
            CaseSearchTerm.objects.bulk_create(terms, batch_size=2000)
            terms_written += len(terms)
            marks = {(rng.choice(pages).pk, rng.choice(users).pk) for _ in range(count * 2)}
            UsefulMark.objects.bulk_create(
                [UsefulMark(case_id=c, user_id=u) for c, u in marks], ignore_conflicts=True
            )
    Page.objects.filter(pk=index.pk).update(numchild=n_cases)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    return {
        "cases": CasePage.objects.live().count(),
        "index_rows": terms_written,
        "load_seconds": round(time.perf_counter() - started, 1),
        "law_id": str(laws[0].pk),
    }


# --- measuring ---------------------------------------------------------------------------------


def _params(query: dict[str, str], law_id: str):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in query.items():
        data[key] = law_id if value == "LAW" else value
    return data


def measure(runs: int, law_id: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casebank.library import search_library
    from people.models import User

    per_query, service_ms, page_ms = [], [], []
    for query in QUERIES:
        params = _params(query, law_id)
        search_library(params)  # warm caches of this shape
        with CaptureQueriesContext(connection) as ctx:
            result = search_library(params)
        per_query.append(
            {
                "query": {k: v[:30] for k, v in query.items()},
                "total": result.total,
                "queries": len(ctx.captured_queries),
            }
        )
    for i in range(runs):
        params = _params(QUERIES[i % len(QUERIES)], law_id)
        t0 = time.perf_counter()
        search_library(params)
        service_ms.append((time.perf_counter() - t0) * 1000)

    client = Client()
    client.force_login(User.objects.get(username="bench-user-0"))
    for i in range(max(len(QUERIES), runs // 3)):
        params = _params(QUERIES[i % len(QUERIES)], law_id)
        t0 = time.perf_counter()
        response = client.get("/cases/", params)
        page_ms.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"/cases/ answered {response.status_code} for {dict(params)}")

    def stats(values):
        values = sorted(values)
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "max_ms": round(values[-1], 1),
        }

    return {"search": stats(service_ms), "page": stats(page_ms), "per_query": per_query}


def worker(db_url: str, n_cases: int, runs: int) -> dict:
    recreate_database(db_url)
    setup_django(db_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # manifest storage
    loaded = load(n_cases)
    measured = measure(runs, loaded.pop("law_id"))
    return {
        "database": connection.vendor,
        **loaded,
        **measured,
        "target_p95_ms": TARGET_P95_MS,
        "passed": measured["search"]["p95_ms"] < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.cases, args.runs), ensure_ascii=False))
        return

    targets = [SQLITE_URL]
    if is_pg(default_db_url()):
        url = pg_url(PG_DB_NAME)
        if pg_available(url):
            targets.append(url)
        else:
            print("PostgreSQL is not reachable: measuring SQLite only.")
    results = []
    for url in targets:
        print(f"loading {args.cases} cases into {url.split('@')[-1]} …", flush=True)
        out = subprocess.run(
            [
                PY,
                "-m",
                "bench.casebank_search",
                "--worker",
                url,
                "--cases",
                str(args.cases),
                "--runs",
                str(args.runs),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            sys.stderr.write(out.stderr[-5000:])
            raise SystemExit(f"the benchmark worker for {url.split('@')[-1]} failed")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = [
        [
            r["database"],
            r["cases"],
            r["load_seconds"],
            r["search"]["p50_ms"],
            r["search"]["p95_ms"],
            r["page"]["p50_ms"],
            r["page"]["p95_ms"],
            "PASS" if r["passed"] else "FAIL",
        ]
        for r in results
    ]
    print(
        table(
            [
                "db",
                "cases",
                "load s",
                "search p50",
                "search p95",
                "page p50",
                "page p95",
                "p95<150ms",
            ],
            rows,
        )
    )
    path = write_result(
        "casebank_search", {"cases": args.cases, "runs": args.runs, "results": results}
    )
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())

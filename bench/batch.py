"""Batch jobs at scale on PostgreSQL: ``python -m bench.batch [--workers 100000]``.

On a throwaway database (``gridacademy_bench_batch``): ``--workers`` workers in an org tree with
certification histories, then
- set-based certification evaluation (``certification.progress.evaluate_many``) for all of them,
- grade eligibility (``certification.ladder.eligibility_for``) for all of them,
  both with their query counts at two chunk sizes (the count must not grow with the workers),
- the HR export (``certification.hr.exports``) of every row as CSV and as XLSX, each in its own
  process for its peak memory, against a raw SQL ``COPY`` of the same columns,
- item statistics of an exam with 5,000 attempts x 50 questions,
- certificate PDFs per second,
- the case-bank search benchmark if the case-bank engineer's ``bench/casebank_*`` is present.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from . import common

BATCH_DB = "gridacademy_bench_batch"
ON = dt.date(2026, 11, 1)
TARGETS = {
    "evaluation_s": 60.0,
    "eligibility_s": 60.0,
    "export_peak_mb": 150.0,
    "item_statistics_s": 10.0,
    "pdf_per_s": 20.0,
}


# --- data ------------------------------------------------------------------------------------


def _org_tree():
    """市 → 2 区 → 4 街道 → 8 社区 → 40 网格; returns the city and the grids."""
    from people.models import OrgUnit

    city = OrgUnit.objects.filter(code="bb-city").first()
    if city is None:
        city = OrgUnit.add_root(name="青川市", code="bb-city", level="city")
        for d in range(2):
            district = city.add_child(name=f"压测{d + 1}区", code=f"bb-d{d}", level="district")
            for s in range(2):
                street = district.add_child(
                    name=f"压测{d + 1}区{s + 1}街道", code=f"bb-d{d}s{s}", level="street"
                )
                for c in range(2):
                    community = street.add_child(
                        name=f"第{c + 1}社区", code=f"bb-d{d}s{s}c{c}", level="community"
                    )
                    for g in range(5):
                        community.add_child(
                            name=f"第{g + 1}网格", code=f"bb-d{d}s{s}c{c}g{g}", level="grid"
                        )
    grids = list(OrgUnit.objects.filter(code__startswith="bb-", level="grid").order_by("path"))
    return city, grids


def generate(n: int, batch: int = 5000) -> dict:
    """``n`` workers with certificates (C0 for most, C1 for some, expired and revoked ones)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from certification.models import Certificate, CertificationLevel
    from people.models import WorkerProfile

    from .fixtures import _password_hash

    User = get_user_model()
    city, grids = _org_tree()
    levels = {lv.code: lv for lv in CertificationLevel.objects.all()}
    rng = random.Random(10)  # noqa: S311
    posts = ["grid_worker"] * 6 + ["general"] * 2 + ["committee", "deputy"]
    grade_for = {"grid_worker": (1, 6), "general": (1, 6), "committee": (4, 12), "deputy": (6, 15)}
    pw = _password_hash()
    t0 = time.perf_counter()
    certs = 0
    for start in range(0, n, batch):
        ids = range(start, min(n, start + batch))
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"bb{i:06d}",
                        name=f"压测员{i:06d}",
                        password=pw,
                        mobile=f"139{i:08d}",
                    )
                    for i in ids
                ]
            )
            workers = []
            for i, u in zip(ids, users, strict=True):
                post = posts[i % len(posts)]
                lo, hi = grade_for[post]
                workers.append(
                    WorkerProfile(
                        user=u,
                        employee_no=f"BB{i:07d}",
                        org_unit=grids[i % len(grids)],
                        post=post,
                        grade=rng.randint(lo, hi),
                        service_start_date=dt.date(2008 + i % 17, 1 + i % 12, 1 + i % 28),
                        education=["high_school", "college", "bachelor", "master"][i % 4],
                        sw_qualification=["", "", "assistant", "social_worker"][i % 4],
                        sw_qualification_date=dt.date(2019, 6, 1) if i % 4 >= 2 else None,
                        id_number=f"110101{1970 + i % 30}0101{i % 10000:04d}"[:18],
                    )
                )
            workers = WorkerProfile.objects.bulk_create(workers)
            rows = []
            for i, w in zip(ids, workers, strict=True):
                kind = i % 10
                if kind >= 8:
                    continue  # no certificate yet
                start_c0 = dt.date(2022, 1, 1) + dt.timedelta(days=i % 900)
                c0 = Certificate(
                    worker=w,
                    level=levels["C0"],
                    cycle=1,
                    number=f"H{i:07d}-0",
                    verification_code=f"V{i:07d}C0",
                    holder_name=w.user.name,
                    issuing_body="网格学堂培训认证中心",
                    issued_on=start_c0,
                    valid_from=start_c0,
                    expires_on=start_c0 + dt.timedelta(days=547),
                    held_since=start_c0,
                    revoked_on=start_c0 + dt.timedelta(days=100) if kind == 7 else None,
                    revoked_reason="压测：证书信息有误" if kind == 7 else "",
                    basis=["岗前培训课程 4/4"],
                )
                rows.append(c0)
                if kind < 3:
                    start_c1 = start_c0 + dt.timedelta(days=400)
                    c0.superseded_on = start_c1
                    rows.append(
                        Certificate(
                            worker=w,
                            level=levels["C1"],
                            cycle=1,
                            number=f"H{i:07d}-1",
                            verification_code=f"V{i:07d}C1",
                            holder_name=w.user.name,
                            issuing_body="网格学堂培训认证中心",
                            issued_on=start_c1,
                            valid_from=start_c1,
                            expires_on=start_c1 + dt.timedelta(days=1095),
                            held_since=start_c1,
                            basis=["初级课程 6/6", "初级考试 82 分"],
                        )
                    )
            Certificate.objects.bulk_create(rows)
            certs += len(rows)
    return {"workers": n, "certificates": certs, "seconds": round(time.perf_counter() - t0, 1)}


# --- measurements ----------------------------------------------------------------------------


def _timed_chunks(fn, ids: list[int], chunk: int, budget: float | None = None) -> dict:
    """Run ``fn(workers)`` over ``ids`` in chunks; time and count queries. With ``budget``
    (seconds), stop after the chunk that crosses it and extrapolate linearly to all ``ids``."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from people.models import WorkerProfile

    t0 = time.perf_counter()
    queries = 0
    per_chunk = []
    results = 0
    for start in range(0, len(ids), chunk):
        with CaptureQueriesContext(connection) as ctx:
            workers = list(
                WorkerProfile.objects.filter(pk__in=ids[start : start + chunk]).select_related(
                    "user"
                )
            )
            results += len(fn(workers))
        queries += len(ctx)
        per_chunk.append(len(ctx))
        reset_queries()
        if budget and time.perf_counter() - t0 > budget and start + chunk < len(ids):
            break
    elapsed = time.perf_counter() - t0
    done = min(len(ids), start + chunk) if ids else 0
    return {
        "workers": len(ids),
        "measured_workers": done,
        "results": results,
        "measured_seconds": round(elapsed, 2),
        "seconds": round(elapsed * len(ids) / done, 1) if done else 0.0,
        "extrapolated": done < len(ids),
        "chunk": chunk,
        "queries": queries,
        "queries_per_chunk": sorted(set(per_chunk)),
    }


def measure_evaluation(ids: list[int], budget: float | None = None) -> dict:
    from certification.progress import evaluate_many

    def run(workers):
        return evaluate_many(workers, ON)

    small = _timed_chunks(run, ids[:1000], 100)
    large = _timed_chunks(run, ids[:5000], 5000)
    full = _timed_chunks(run, ids, 5000, budget)
    full["queries_for_1000_workers_in_chunks_of_100"] = small["queries_per_chunk"]
    full["queries_for_5000_workers_in_one_call"] = large["queries_per_chunk"]
    return full


def measure_eligibility(ids: list[int], budget: float | None = None) -> dict:
    from certification.ladder import eligibility_for

    def run(workers):
        return eligibility_for(workers, ON)

    small = _timed_chunks(run, ids[:1000], 100)
    large = _timed_chunks(run, ids[:5000], 5000)
    full = _timed_chunks(run, ids, 5000, budget)
    full["queries_for_1000_workers_in_chunks_of_100"] = small["queries_per_chunk"]
    full["queries_for_5000_workers_in_one_call"] = large["queries_per_chunk"]
    return full


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(kind: str, out: str) -> None:
    """In a fresh process: one export, then print its time, rows and peak RSS as JSON."""
    if kind == "stats":
        from assessments.models import Exam
        from assessments.statistics import compute_item_statistics

        t0 = time.perf_counter()
        compute_item_statistics(Exam.objects.get(pk=int(out)))
        print(
            json.dumps(
                {"seconds": round(time.perf_counter() - t0, 2), "peak_mb": round(_peak_rss_mb(), 1)}
            )
        )
        return
    from certification.hr import exports, records
    from people.models import OrgUnit

    city = OrgUnit.objects.get(code="bb-city")
    baseline_mb = _rss_mb()  # Django and every app imported, before the export starts
    t0 = time.perf_counter()
    qs = records.records_in_subtree(city, ON)
    index = records.OrgIndex.for_subtree(city)
    rows = 0
    if kind == "csv":
        with open(out, "wb") as fh:
            for chunk in exports.stream_csv(qs, index):
                fh.write(chunk)
                rows += 1
        rows -= 1  # the heading
    elif kind == "xlsx":
        with open(out, "wb") as fh:
            rows = exports.write_xlsx(qs, index, fh)
    else:  # raw SQL COPY of the same columns, the floor for any export
        from django.db import connection

        sql = """
            COPY (
              SELECT w.employee_no, u.name, o.name, w.post, w.grade, u.mobile, w.id_number,
                     l.code, c.number, c.expires_on
              FROM people_workerprofile w
              JOIN people_user u ON u.id = w.user_id
              JOIN people_orgunit o ON o.id = w.org_unit_id
              LEFT JOIN LATERAL (
                SELECT * FROM certification_certificate c
                WHERE c.worker_id = w.id AND c.superseded_on IS NULL
                ORDER BY c.valid_from DESC LIMIT 1
              ) c ON true
              LEFT JOIN certification_certificationlevel l ON l.id = c.level_id
              ORDER BY w.employee_no
            ) TO STDOUT WITH CSV HEADER
        """
        with (
            connection.cursor() as cur,
            open(out, "wb") as fh,
            cur.connection.cursor().copy(sql) as copy,
        ):
            for data in copy:
                fh.write(data)
        with open(out, "rb") as fh:
            rows = sum(1 for _ in fh) - 1
    seconds = time.perf_counter() - t0
    peak_mb = _peak_rss_mb()
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": rows,
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb, 1),
                "baseline_mb": round(baseline_mb, 1),
                "export_added_mb": round(peak_mb - baseline_mb, 1),
                "bytes": Path(out).stat().st_size,
            }
        )
    )


def measure_exports(db_url: str) -> dict:
    out = {}
    for kind in ("sql", "csv", "xlsx"):
        path = common.ROOT / "var" / f"bench-export.{'csv' if kind == 'sql' else kind}"
        proc = subprocess.run(
            [common.PY, "-m", "bench.batch", "--child", kind, "--child-out", str(path)],
            env=common.bench_env(db_url),
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            out[kind] = {"error": proc.stderr.strip().splitlines()[-1:]}
            continue
        out[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        path.unlink(missing_ok=True)
    return out


def measure_item_statistics(
    db_url: str, attempts: int = 5000, questions: int = 50, timeout: float = 300
) -> dict:
    """An exam with ``attempts`` graded attempts x ``questions`` single-choice questions."""
    from django.db import transaction
    from django.utils import timezone

    from assessments import grading
    from assessments.models import Attempt, AttemptQuestion
    from people.models import WorkerProfile

    from .fixtures import ensure_exam

    exam = ensure_exam(questions=questions)
    Attempt.objects.filter(exam=exam).delete()  # a --reuse run starts from none
    items = list(exam.fixed_questions.select_related("question").order_by("sort_order"))
    snaps = []
    for eq in items:
        snaps.append(grading.build_snapshot(eq.question))
    users = list(WorkerProfile.objects.order_by("pk").values_list("user_id", flat=True)[:attempts])
    rng = random.Random(5)  # noqa: S311
    now = timezone.now()
    t0 = time.perf_counter()
    for start in range(0, len(users), 500):
        with transaction.atomic():
            batch = Attempt.objects.bulk_create(
                [
                    Attempt(
                        exam=exam,
                        user_id=u,
                        number=1,
                        status="graded",
                        started_at=now,
                        submitted_at=now,
                        graded_at=now,
                        points_possible=Decimal(questions),
                    )
                    for u in users[start : start + 500]
                ]
            )
            rows = []
            for a in batch:
                ability = rng.random()
                awarded = 0
                for pos, snap in enumerate(snaps, start=1):
                    opts = snap["options"]
                    correct = rng.random() < 0.3 + 0.6 * ability
                    choice = (
                        next(o["id"] for o in opts if o["correct"])
                        if correct
                        else opts[rng.randrange(len(opts))]["id"]
                    )
                    ok = any(o["id"] == choice and o["correct"] for o in opts)
                    awarded += ok
                    rows.append(
                        AttemptQuestion(
                            attempt=a,
                            question_id=snap["id"],
                            position=pos,
                            snapshot=snap,
                            option_order=[o["id"] for o in opts],
                            answer=choice,
                            seq=1,
                            saved_at=now,
                            max_points=Decimal(1),
                            points=Decimal(int(ok)),
                            is_correct=ok,
                        )
                    )
                a.points_awarded = Decimal(awarded)
                a.score = Decimal(awarded * 100 / questions).quantize(Decimal("0.01"))
                a.passed = a.score >= 60
            AttemptQuestion.objects.bulk_create(rows, batch_size=5000)
            Attempt.objects.bulk_update(batch, ["points_awarded", "score", "passed"])
    generated = time.perf_counter() - t0
    out = {
        "attempts": len(users),
        "questions": questions,
        "generation_seconds": round(generated, 1),
    }
    proc = subprocess.Popen(
        [common.PY, "-m", "bench.batch", "--child", "stats", "--child-out", str(exam.pk)],
        env=common.bench_env(db_url),
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, _err = proc.communicate(timeout=timeout)
        out.update(json.loads(stdout.strip().splitlines()[-1]))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        out.update({"seconds": None, "timed_out_after_s": timeout})
    return out


def measure_pdfs(n: int = 60) -> dict:
    from certification.models import Certificate
    from certification.pdf import cjk_font, render_certificate

    certs = list(Certificate.objects.select_related("level", "worker").order_by("pk")[:n])
    font = cjk_font()
    render_certificate(certs[0], font=font)  # font loading is a one-off
    t0 = time.perf_counter()
    size = 0
    for c in certs:
        size += len(render_certificate(c, font=font))
    seconds = time.perf_counter() - t0
    return {
        "pdfs": len(certs),
        "seconds": round(seconds, 2),
        "per_second": round(len(certs) / seconds, 1),
        "mean_kb": round(size / len(certs) / 1024, 1),
        "font": font,
    }


def casebank_bench(run: bool = True) -> dict:
    """Run the case-bank engineer's search benchmark (bench/casebank_*.py) when it exists
    (``run=False``: only read its last results)."""
    mods = sorted(p.stem for p in (common.ROOT / "bench").glob("casebank_*.py")) if run else []
    if run and not mods:
        return {"status": "not present (bench/casebank_* is the case-bank engineer's)"}
    out = {}
    for mod in mods:
        proc = subprocess.run([common.PY, "-m", f"bench.{mod}"], cwd=common.ROOT, check=False)
        out[mod] = {"exit": proc.returncode}
    found = common.RESULTS / "casebank_search.json"
    if found.exists():
        data = json.loads(found.read_text())
        out["search"] = [
            {
                "database": r["database"],
                "cases": r["cases"],
                "p95_ms": r["search"]["p95_ms"],
                "page_p95_ms": r["page"]["p95_ms"],
            }
            for r in data.get("results", [])
        ]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=100_000)
    p.add_argument("--attempts", type=int, default=5000)
    p.add_argument("--reuse", action="store_true", help="keep the generated database")
    p.add_argument(
        "--budget",
        type=float,
        default=300.0,
        help="seconds per whole-population job before extrapolating linearly",
    )
    p.add_argument(
        "--casebank-results-only",
        action="store_true",
        help="do not run bench.casebank_search; report its last results",
    )
    p.add_argument(
        "--only", help="comma-separated jobs: evaluation,eligibility,exports,item_statistics,pdf"
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    db_url = common.pg_url(BATCH_DB)
    if args.child:
        common.setup_django(db_url)
        child_export(args.child, args.child_out)
        return 0
    if not common.pg_available(db_url):
        print("batch jobs need PostgreSQL: skipped")
        return 0
    print(f"== Batch jobs: {args.workers:,} workers on PostgreSQL")
    if not args.reuse:
        common.recreate_database(db_url)
    common.setup_django(db_url)
    from django.core.management import call_command

    from people.models import WorkerProfile

    call_command("migrate", interactive=False, verbosity=0)
    res: dict = {}
    have = WorkerProfile.objects.filter(employee_no__startswith="BB").count()
    if have < args.workers:
        res["generation"] = generate(args.workers)
        print(f"   generated {res['generation']}")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum gives a live database
    ids = list(
        WorkerProfile.objects.filter(employee_no__startswith="BB")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    steps = [
        ("evaluation", lambda: measure_evaluation(ids, args.budget)),
        ("eligibility", lambda: measure_eligibility(ids, args.budget)),
        ("exports", lambda: measure_exports(db_url)),
        (
            "item_statistics",
            lambda: measure_item_statistics(db_url, args.attempts, timeout=args.budget),
        ),
        ("pdf", measure_pdfs),
    ]
    only = {x.strip() for x in (args.only or "").split(",") if x.strip()}
    for name, fn in steps:
        if only and name not in only:
            continue
        try:
            res[name] = fn()
        except Exception as exc:  # report and go on: one broken job must not hide the others
            res[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        print(f"   {name}: {json.dumps(res[name], ensure_ascii=False, default=str)[:300]}")
    res["casebank"] = casebank_bench(run=not args.casebank_results_only)

    ev, el, ex, st, pdf = (
        res.get(k, {}) for k in ("evaluation", "eligibility", "exports", "item_statistics", "pdf")
    )
    csv_, xlsx, sql = ex.get("csv", {}), ex.get("xlsx", {}), ex.get("sql", {})

    def row(name, value, target, ok, note=""):
        return [name, value, target, common.verdict(ok) if value is not None else "n/a", note]

    def whole(job):
        extra = (
            f"measured {job.get('measured_workers')} in {job.get('measured_seconds')} s, linear extrapolation; "
            if job.get("extrapolated")
            else ""
        )
        return (
            f"{extra}queries per chunk of 5000: {job.get('queries_per_chunk')}, "
            f"of 100: {job.get('queries_for_1000_workers_in_chunks_of_100')}"
        )

    ratio = lambda job: f"x{(job.get('seconds') or 0) / (sql.get('seconds') or 1):.0f} the SQL dump"  # noqa: E731
    st_value = (
        st.get("seconds")
        if st.get("seconds") is not None
        else (f"> {st['timed_out_after_s']:g}" if st.get("timed_out_after_s") else None)
    )
    rows = [
        row(
            "certification evaluation, all workers (s)",
            ev.get("seconds"),
            "< 60",
            (ev.get("seconds") or 1e9) < 60,
            whole(ev),
        ),
        row(
            "grade eligibility, all workers (s)",
            el.get("seconds"),
            "< 60",
            (el.get("seconds") or 1e9) < 60,
            whole(el),
        ),
        row(
            "raw SQL COPY of the columns (s)",
            sql.get("seconds"),
            "-",
            True,
            f"{sql.get('rows')} rows, peak {sql.get('peak_mb')} MB",
        ),
        row(
            "HR export CSV (s)",
            csv_.get("seconds"),
            "-",
            "seconds" in csv_,
            f"{csv_.get('rows')} rows; {ratio(csv_)}",
        ),
        row(
            "HR export CSV peak memory (MB)",
            csv_.get("peak_mb"),
            "< 150",
            (csv_.get("peak_mb") or 1e9) < 150,
            f"Django process before the export {csv_.get('baseline_mb')} MB, "
            f"the export added {csv_.get('export_added_mb')} MB",
        ),
        row(
            "HR export XLSX (s)",
            xlsx.get("seconds"),
            "-",
            "seconds" in xlsx,
            f"{xlsx.get('rows')} rows; {ratio(xlsx)}",
        ),
        row(
            "HR export XLSX peak memory (MB)",
            xlsx.get("peak_mb"),
            "< 150",
            (xlsx.get("peak_mb") or 1e9) < 150,
            f"Django process before the export {xlsx.get('baseline_mb')} MB, "
            f"the export added {xlsx.get('export_added_mb')} MB",
        ),
        row(
            f"item statistics {st.get('attempts')} x {st.get('questions')} (s)",
            st_value,
            "< 10",
            st.get("seconds") is not None and st["seconds"] < 10,
        ),
        row(
            "certificate PDFs per second",
            pdf.get("per_second"),
            ">= 20",
            (pdf.get("per_second") or 0) >= 20,
        ),
    ]
    for r in res["casebank"].get("search", []):
        rows.append(
            row(
                f"case search p95, {r['cases']} cases, {r['database']} (ms)",
                r["p95_ms"],
                "< 150",
                r["p95_ms"] < 150,
                f"whole /cases/ page p95 {r['page_p95_ms']} ms (bench.casebank_search)",
            )
        )
    print()
    print(common.table(["job", "value", "target", "", "notes"], rows))
    errors = {k: v["error"] for k, v in res.items() if isinstance(v, dict) and "error" in v}
    if errors:
        print(f"errors: {errors}")
    path = common.write_result("batch", {"on": ON.isoformat(), **res})
    print(f"results in {path.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

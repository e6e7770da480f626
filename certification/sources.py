"""Gather :class:`rules.Facts` for many workers at once from the other apps' query points.

Every source is set-based: a fixed number of queries whatever the number of workers. The other
apps' ``queries.py`` modules are the contracts of docs/architecture.md ("Cross-app contracts").
They are imported inside the functions only to keep app loading light.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.db.models import Prefetch

from people.models import AnnualAppraisal, WorkerProfile

from . import rules
from .models import Certificate, CertificationLevel, LevelRequirement


def level_specs() -> list[rules.LevelSpec]:
    """The configured levels as immutable snapshots (two queries)."""
    levels = CertificationLevel.objects.prefetch_related(
        Prefetch(
            "requirements",
            queryset=LevelRequirement.objects.select_related("other_level").order_by(
                "sort_order", "id"
            ),
        )
    )
    out = []
    for level in levels:
        reqs = tuple(
            rules.RequirementSpec(
                kind=r.kind,
                purpose=r.purpose,
                codes=tuple(c.strip() for c in r.codes.replace("，", ",").split(",") if c.strip()),
                category=r.category,
                count=r.count,
                min_score=r.min_score,
                dimension=r.dimension,
                min_dimension_score=r.min_dimension_score,
                hours=r.hours,
                window_months=r.window_months,
                attendance_kind=r.attendance_kind,
                years=r.years,
                other_level=r.other_level.code if r.other_level_id else "",
                review_level=r.review_level,
                qualification=r.qualification,
                choice_group=r.choice_group,
                choice_option=r.choice_option,
            )
            for r in level.requirements.all()
        )
        out.append(
            rules.LevelSpec(
                code=level.code,
                name=level.name,
                rank=level.rank,
                is_badge=level.is_badge,
                validity_months=level.validity_months,
                renewable=level.renewable,
                renewal_window_days=level.renewal_window_days,
                grace_days=level.grace_days,
                ends_when_next_issued=level.ends_when_next_issued,
                auto_issue=level.auto_issue,
                annual_cpd_hours=level.annual_cpd_hours,
                requirements=reqs,
            )
        )
    return out


def catalogue() -> rules.Catalogue:
    from courses.queries import course_codes_by_category

    categories = course_codes_by_category()
    return rules.Catalogue(categories={k: frozenset(v) for k, v in categories.items()})


def held_certificates(worker_ids: Iterable[int]) -> dict[int, list[rules.HeldCertificate]]:
    """{worker_id: [HeldCertificate]} in one query (plain rows: no model instances)."""
    out: dict[int, list[rules.HeldCertificate]] = defaultdict(list)
    rows = Certificate.objects.filter(worker_id__in=list(worker_ids)).values_list(
        "worker_id",
        "level__code",
        "valid_from",
        "expires_on",
        "held_since",
        "revoked_on",
        "superseded_on",
        "level__ends_when_next_issued",
    )
    held = rules.HeldCertificate
    for worker_id, code, valid_from, expires_on, since, revoked_on, superseded_on, ends in rows:
        out[worker_id].append(
            held(
                level_code=code,
                valid_from=valid_from,
                expires_on=expires_on,
                held_since=since,
                revoked_on=revoked_on,
                ended_on=superseded_on if ends else None,
            )
        )
    return out


def appraisals(worker_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """{worker_id: {year: result}} in one query, newest year first."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    rows = AnnualAppraisal.objects.filter(worker_id__in=list(worker_ids)).values_list(
        "worker_id", "year", "result"
    )
    for worker_id, year, result in rows:
        out[worker_id][year] = result
    return out


def _as_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


PARTS = frozenset(
    {
        "courses",
        "cpd",
        "attendance",
        "exams",
        "simulations",
        "red_lines",
        "cases",
        "certificates",
        "appraisals",
    }
)


def gather(
    workers: Iterable[WorkerProfile],
    on: dt.date,
    levels: list[rules.LevelSpec] | None = None,
    *,
    cpd_years: Iterable[int] = (),
    parts: Collection[str] = PARTS,
) -> dict[int, rules.Facts]:
    """{worker_id: Facts} for ``workers`` on ``on``, with a constant number of queries.

    ``cpd_years`` adds calendar-year CPD totals (the grade ladder's shortfall rule). ``parts``
    names the facts to read (all of :data:`PARTS` by default); the others stay empty, and their
    sources are not asked.
    """
    from assessments.queries import best_exam_results
    from assessments.simulations.queries import best_results, red_line_hits
    from casebank.queries import accepted_cases
    from courses.queries import attendance, completed_courses, cpd_hours

    workers = list(workers)
    levels = level_specs() if levels is None else levels
    user_ids = [w.user_id for w in workers]
    by_user = {w.user_id: w for w in workers}
    facts = {
        w.pk: rules.Facts(
            user_id=w.user_id,
            service_start=w.service_start_date,
            qualification=w.sw_qualification or "",
        )
        for w in workers
    }
    if not workers:
        return facts

    def each(result, apply):
        for user_id, value in (result or {}).items():
            worker = by_user.get(user_id)
            if worker is not None:
                apply(facts[worker.pk], value)

    if "courses" in parts:
        each(
            completed_courses(user_ids),
            lambda f, v: f.completed_courses.update(v),
        )
    windows = set(rules.cpd_windows(levels, on)) if "cpd" in parts else set()
    windows |= {(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in cpd_years}
    for start, end in sorted(windows):
        each(
            cpd_hours(user_ids, start, end),
            lambda f, v, key=(start, end): f.cpd_hours.__setitem__(key, _as_decimal(v)),
        )
    if "attendance" in parts:
        each(
            attendance(user_ids),
            lambda f, v: f.attendance.extend(
                rules.Attendance(
                    kind=a.kind, hours=_as_decimal(a.hours), date=a.date, session_id=a.session_id
                )
                for a in v
            ),
        )
    if "exams" in parts:
        each(
            best_exam_results(user_ids),
            lambda f, v: f.exams.update(
                {
                    code: rules.ExamResult(score=_as_decimal(r.score), passed=r.passed, date=r.date)
                    for code, r in v.items()
                }
            ),
        )
    if "simulations" in parts:
        each(
            best_results(user_ids),
            lambda f, v: f.simulations.update(
                {
                    key: rules.SimResult(
                        overall=_as_decimal(r.overall),
                        dimensions={k: _as_decimal(d) for k, d in (r.dimensions or {}).items()},
                        passed=r.passed,
                        red_line=r.red_line,
                        date=r.date,
                    )
                    for key, r in v.items()
                }
            ),
        )
    sinces = rules.red_line_sinces(levels, on) if "red_lines" in parts else ()
    for since in sorted(sinces):
        each(
            red_line_hits(user_ids, since),
            lambda f, v, since=since: f.red_line_hits.__setitem__(since, int(v)),
        )
    if "cases" in parts:
        each(
            accepted_cases(user_ids),
            lambda f, v: f.cases.extend(
                rules.AcceptedCase(case_id=c.case_id, review_level=c.review_level, date=c.date)
                for c in v
            ),
        )
    if "certificates" in parts:
        for worker_id, held in held_certificates(facts.keys()).items():
            facts[worker_id].certificates.extend(held)
    if "appraisals" in parts:
        for worker_id, years in appraisals(facts.keys()).items():
            facts[worker_id].appraisals.update(years)
    return facts

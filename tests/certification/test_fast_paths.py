"""The fast paths give the same answers as the explaining ones, and batches cost constant queries.

- ``rules.evaluate(explain=False)`` (sweeps, ``evaluate_many``, ``due_actions``) gives the same
  verdicts as the eager evaluation on a varied generated population, and the same words when
  they are read;
- ``ladder.eligibility_for`` (memoised translations, fewer sources) gives the same results as
  ``ladder.eligibility`` with plain ``gettext``;
- ``evaluate_many`` and ``eligibility_for`` use as many queries for 20 workers as for 2.
"""

import datetime as dt
import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from certification import ladder, rules, sources
from certification.models import Certificate
from certification.progress import evaluate_many, progress_for
from certification.rules import (
    AcceptedCase,
    Attendance,
    Catalogue,
    ExamResult,
    Facts,
    HeldCertificate,
    LevelSpec,
    RequirementSpec,
    SimResult,
)
from people.factories import WorkerProfileFactory
from people.models import AnnualAppraisal

ON = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


# --- a varied population ------------------------------------------------------------------------


def synthetic_levels() -> list[LevelSpec]:
    """Every requirement kind, with and without windows, and choice groups of several options."""
    d = D
    return [
        LevelSpec(
            code="X1",
            name="全类型",
            rank=7,
            requirements=(
                RequirementSpec(kind="courses", category="mediation", count=2),
                RequirementSpec(kind="exam", codes=("EX-1",), min_score=d("0")),
                RequirementSpec(kind="exam", codes=("EX-2",)),
                RequirementSpec(kind="attendance", hours=d("3")),
                RequirementSpec(
                    kind="attendance", attendance_kind="drill", hours=d("2"), window_months=12
                ),
                RequirementSpec(kind="case", review_level="district", window_months=24),
                RequirementSpec(kind="case", count=2),
                RequirementSpec(kind="qualification", qualification="assistant"),
                RequirementSpec(kind="level_held", other_level="C1"),
                RequirementSpec(kind="simulation", codes=("SIM-03",), dimension="SAF"),
                RequirementSpec(kind="no_red_line"),
                RequirementSpec(kind="appraisal", years=d("2")),
            ),
        ),
        LevelSpec(
            code="X2",
            name="多选一",
            rank=8,
            requirements=(
                RequirementSpec(kind="service_years", years=d("2.5")),
                RequirementSpec(kind="cpd_hours", hours=d("20"), window_months=6),
                RequirementSpec(kind="exam", codes=("EX-1",), choice_group=1, choice_option=1),
                RequirementSpec(
                    kind="courses", codes=("MED-101", "MED-102"), choice_group=1, choice_option=1
                ),
                RequirementSpec(kind="case", choice_group=1, choice_option=2),
                RequirementSpec(
                    kind="level_held",
                    other_level="C0",
                    years=d("1"),
                    choice_group=2,
                    choice_option=1,
                ),
                RequirementSpec(kind="exam", codes=("EX-2",), choice_group=2, choice_option=2),
                RequirementSpec(kind="cpd_hours", purpose="renew", hours=d("30")),
                RequirementSpec(
                    kind="simulation", purpose="renew", codes=("SIM-01",), min_score=d("70")
                ),
            ),
        ),
    ]


def catalogue_for(levels) -> Catalogue:
    codes = sorted(
        {c for lv in levels for r in lv.requirements if r.kind == "courses" for c in r.codes}
    )
    cats = {r.category for lv in levels for r in lv.requirements if r.category}
    return Catalogue(
        categories={cat: frozenset(codes[i::3]) for i, cat in enumerate(sorted(cats))}
        | {"mediation": frozenset({"MED-101", "MED-102", "MED-201"})}
    )


def random_facts(rng: random.Random, i: int, levels, on: dt.date) -> Facts:
    def day(lo=-1500, hi=60):
        return on + dt.timedelta(days=rng.randint(lo, hi))

    def score():
        return D(rng.choice(["0", "55", "59.5", "60", "69", "70", "75", "80", "80.5", "95"]))

    specs = [r for lv in levels for r in lv.requirements]
    courses = sorted({c for r in specs for c in r.codes if r.kind == "courses"})
    courses += ["MED-101", "MED-102", "MED-201", "POL-101"]
    exams = sorted({r.codes[0] for r in specs if r.kind == "exam" and r.codes}) + ["EX-9"]
    sims = sorted({r.codes[0] for r in specs if r.kind == "simulation" and r.codes})
    f = Facts(
        user_id=i,
        service_start=None if rng.random() < 0.1 else day(-4000, 30),
        qualification=rng.choice(["", "", "assistant", "social_worker", "senior"]),
    )
    for code in courses:
        if rng.random() < 0.7:
            f.completed_courses[code] = day()
    for window in rules.cpd_windows(levels, on):
        if rng.random() < 0.9:
            f.cpd_hours[window] = D(rng.choice(["0", "7.5", "19.5", "20", "39", "40", "48", "120"]))
    for _ in range(rng.randint(0, 4)):
        f.attendance.append(
            Attendance(
                rng.choice(["drill", "training", "field_visit"]),
                D(rng.choice(["1", "1.5", "2", "3"])),
                day(),
            )
        )
    for code in exams:
        if rng.random() < 0.7:
            f.exams[code] = ExamResult(score(), rng.random() < 0.8, day())
    for key in sims:
        if rng.random() < 0.8:
            f.simulations[key] = SimResult(
                score(),
                {"SAF": score(), "LEG": score()} if rng.random() < 0.8 else {},
                rng.random() < 0.7,
                rng.random() < 0.1,
                day(),
            )
    for since in rules.red_line_sinces(levels, on):
        f.red_line_hits[since] = rng.choice([0, 0, 0, 1, 2])
    for n in range(rng.randint(0, 3)):
        f.cases.append(AcceptedCase(n, rng.choice(["street", "district"]), day()))
    for code in ("C0", "C1", "C2", "C3", "M"):
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            start = day(-1400, 30)
            expires = (
                None if rng.random() < 0.1 else start + dt.timedelta(days=rng.choice([547, 1095]))
            )
            f.certificates.append(
                HeldCertificate(
                    code,
                    start,
                    expires,
                    start - dt.timedelta(days=rng.choice([0, 0, 400])),
                    revoked_on=start + dt.timedelta(days=100) if rng.random() < 0.1 else None,
                    ended_on=start + dt.timedelta(days=300)
                    if code == "C0" and rng.random() < 0.3
                    else None,
                )
            )
    for year in range(on.year - 5, on.year):
        if rng.random() < 0.7:
            f.appraisals[year] = rng.choice(["excellent", "competent", "basic", "incompetent"])
    return f


@pytest.fixture
def population(db):
    levels = sources.level_specs() + synthetic_levels()
    rng = random.Random(20261101)
    days = [ON, dt.date(2027, 2, 28), dt.date(2024, 2, 29)]
    return (
        levels,
        catalogue_for(levels),
        [(random_facts(rng, i, levels, on), on) for i in range(300) for on in [days[i % 3]]],
    )


def test_verdicts_without_words_match_the_explained_ones(population):
    levels, cat, people = population
    met = unmet = 0
    for facts, on in people:
        for level in levels:
            for purpose in ("earn", "renew"):
                eager = rules.evaluate(level, facts, on, purpose=purpose, catalogue=cat)
                quick = rules.evaluate(
                    level, facts, on, purpose=purpose, catalogue=cat, explain=False
                )
                assert quick.met == eager.met, (level.code, purpose, facts)
                for spec in level.for_purpose(purpose):
                    assert (
                        rules.is_met(spec, facts, on, cat) == rules.check(spec, facts, on, cat).met
                    )
                met += eager.met
                unmet += not eager.met
                # the words, built on first access, are those of the eager evaluation
                assert quick.shortest_missing == eager.shortest_missing
                assert quick.statuses == eager.statuses
                assert quick == eager
    assert met > 200 and unmet > 200  # the population is varied enough to mean something


def test_due_actions_match_eagerly_evaluated_levels(population):
    levels, cat, people = population
    issued = 0
    for facts, on in people:
        eager = {
            (lv.code, p): rules.evaluate(lv, facts, on, purpose=p, catalogue=cat)
            for lv in levels
            for p in ("earn", "renew")
        }
        quick = rules.due_actions(levels, facts, on, cat)
        reference = rules.due_actions(levels, facts, on, cat, evaluations=dict(eager))
        assert [(a.level, a.purpose) for a in quick] == [(a.level, a.purpose) for a in reference]
        assert quick == reference  # words included
        for action in quick:
            assert action.evaluation.met
            assert all(s.progress for s in action.evaluation.statuses)
        issued += len(quick)
    assert issued > 20


def test_lazy_words_use_the_language_of_the_evaluation():
    spec = RequirementSpec(kind="cpd_hours", hours=D("40"), window_months=12)
    level = LevelSpec(code="T", name="T", requirements=(spec,))
    facts = Facts(user_id=1, cpd_hours={rules.trailing_window(ON, 12): D("32")})
    quick = rules.evaluate(level, facts, ON, explain=False)
    with translation.override("en"):
        words = quick.statuses[0].progress
    assert words.startswith("已完成 32/40 学时")
    assert quick.shortest_missing == ("还需 8 学时",)


def test_memoised_eligibility_words_match_gettext():
    rng = random.Random(7)
    lr = ladder.LadderRules(
        post_ranges={"general": (1, 12), "deputy": (4, 15)},
        degree_years={"bachelor": 3, "master": 5},
        qual_bump={"assistant": 1, "social_worker": 2},
        appraisal_credit={
            "excellent": D("1.5"),
            "competent": D("1"),
            "basic": D("0.5"),
            "incompetent": D("0"),
        },
        gates=((1, 4, "C0"), (5, 8, "C1"), (9, 12, "C2")),
        level_ranks={"C0": 0, "C1": 1, "C2": 2},
        level_cpd={"C0": D("40"), "C1": D("40")},
        cpd_rule_from=2022,
    )
    memo = ladder.MemoGettext()
    eligible = 0
    for i in range(300):
        start = dt.date(2008 + i % 18, 1 + i % 12, 1 + i % 28)
        facts = ladder.LadderFacts(
            post=rng.choice(["general", "deputy"]),
            grade=rng.randint(1, 12),
            education=rng.choice(["college", "bachelor", "master"]),
            qualification=rng.choice(["", "assistant", "social_worker"]),
            service_start=start,
            appraisals={
                y: rng.choice(["excellent", "competent", "basic", "incompetent"])
                for y in range(start.year, ON.year)
                if rng.random() < 0.7
            },
            cpd_by_year={y: D(rng.choice(["0", "30", "40", "60"])) for y in range(2020, 2026)},
            certificates=[
                HeldCertificate(c, dt.date(2024, 1, 1), dt.date(2027, 12, 31), dt.date(2024, 1, 1))
                for c in ("C0", "C1", "C2")
                if rng.random() < 0.4
            ],
        )
        plain = ladder.eligibility(facts, lr, ON)
        assert ladder.eligibility(facts, lr, ON, translate=memo) == plain
        eligible += plain.eligible
    assert 10 < eligible < 290


# --- queries and the database path --------------------------------------------------------------


def _workers(org, n):
    return [
        WorkerProfileFactory(org_unit=org.grid_a1, service_start_date=dt.date(2012, 5, 1))
        for _ in range(n)
    ]


def _with_history(workers, level_c0):
    from certification import services

    for i, w in enumerate(workers):
        if i % 2 == 0:
            services.issue_certificate(w, level_c0, acting_user=None)
        AnnualAppraisal.objects.create(worker=w, year=2024, result="competent")


def test_evaluate_many_queries_do_not_grow_with_workers(org, level_c0):
    workers = _workers(org, 20)
    _with_history(workers, level_c0)
    with CaptureQueriesContext(connection) as two:
        evaluate_many(workers[:2], ON)
    with CaptureQueriesContext(connection) as twenty:
        verdicts = evaluate_many(workers, ON)
    assert len(twenty) == len(two)
    assert len(verdicts) == 20
    for w in workers[:4]:
        page = progress_for(w, list(Certificate.objects.filter(worker=w)), ON)
        assert verdicts[w.pk].next_level == page.next_level.code
        assert verdicts[w.pk].evaluation == page.evaluation  # the words too


def test_eligibility_for_queries_do_not_grow_with_workers(org, level_c0):
    workers = _workers(org, 20)
    _with_history(workers, level_c0)
    with CaptureQueriesContext(connection) as two:
        ladder.eligibility_for(workers[:2], ON)
    with CaptureQueriesContext(connection) as twenty:
        results = ladder.eligibility_for(workers, ON)
    assert len(twenty) == len(two)
    lr, _rule_set = ladder.active_rules()
    full = sources.gather(workers, ON, [])
    for w in workers:
        facts = ladder.ladder_facts_for([w], ON, lr)[w.pk]
        assert facts.certificates == full[w.pk].certificates
        assert facts.appraisals == full[w.pk].appraisals == {2024: "competent"}
        assert results[w.pk] == ladder.eligibility(facts, lr, ON)

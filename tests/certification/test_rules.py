"""The pure rules engine, with hand-built facts: every requirement kind and its boundaries."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from certification import rules
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

ON = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def status(spec, facts, on=ON, catalogue=None):
    return rules.check(spec, facts, on, catalogue)


def test_add_months_and_years_leap_days():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2028, 3, 31), -1) == dt.date(2028, 2, 29)
    # 29 February's anniversary in a common year is 1 March (as WorkerProfile.service_years).
    assert rules.add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 3, 1)
    assert rules.add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert rules.trailing_window(dt.date(2028, 2, 29), 12) == (
        dt.date(2027, 3, 1),
        dt.date(2028, 2, 29),
    )


def test_courses_listed_progress_in_chinese():
    spec = RequirementSpec(kind="courses", codes=("POL-101", "POL-102", "SVC-101"))
    facts = Facts(user_id=1, completed_courses={"POL-101": dt.date(2026, 1, 5)})
    s = status(spec, facts)
    assert not s.met
    assert s.progress == "已完成 1/3 门课程，还差 POL-102、SVC-101"
    assert s.missing == ("完成课程 POL-102", "完成课程 SVC-101")
    facts.completed_courses.update({"POL-102": ON, "SVC-101": ON})
    assert status(spec, facts).met


def test_course_completed_after_the_date_does_not_count():
    spec = RequirementSpec(kind="courses", codes=("POL-101",))
    facts = Facts(user_id=1, completed_courses={"POL-101": ON + dt.timedelta(days=1)})
    assert not status(spec, facts).met


def test_n_courses_of_a_category():
    cat = Catalogue(categories={"mediation": frozenset({"MED-101", "MED-102", "MED-201"})})
    spec = RequirementSpec(kind="courses", category="mediation", count=2)
    facts = Facts(user_id=1, completed_courses={"MED-101": ON, "POL-101": ON})
    s = status(spec, facts, catalogue=cat)
    assert not s.met
    assert "1/2" in s.progress
    facts.completed_courses["MED-201"] = ON
    assert status(spec, facts, catalogue=cat).met


def test_exam_minimum_score_boundary():
    spec = RequirementSpec(kind="exam", codes=("MED-101-T",), min_score=D("80"))
    facts = Facts(user_id=1, exams={"MED-101-T": ExamResult(D("79.5"), True, ON)})
    s = status(spec, facts)
    assert not s.met
    assert s.progress == "考试 MED-101-T 最好成绩 79.5，需 ≥ 80"
    facts.exams["MED-101-T"] = ExamResult(D("80"), True, ON)
    assert status(spec, facts).met
    assert "尚未参加" in status(spec, Facts(user_id=1)).progress


def test_simulation_dimension_and_words():
    spec = RequirementSpec(
        kind="simulation",
        codes=("SIM-03",),
        min_score=D("70"),
        dimension="SAF",
        min_dimension_score=D("70"),
    )
    facts = Facts(
        user_id=1,
        simulations={"SIM-03": SimResult(D("68"), {"SAF": D("90")}, False, False, ON)},
    )
    s = status(spec, facts)
    assert not s.met
    assert s.progress == "SIM-03 最好成绩 68，需 ≥ 70 且安全维度 ≥ 70（安全维度 90）"
    facts.simulations["SIM-03"] = SimResult(D("82"), {"SAF": D("69.9")}, True, False, ON)
    assert not status(spec, facts).met
    facts.simulations["SIM-03"] = SimResult(D("82"), {"SAF": D("70")}, True, False, ON)
    assert status(spec, facts).met


def test_simulation_level_minimum_below_the_scenario_pass_mark():
    # C0 asks ≥ 60; a run of 65 that the scenario (pass mark 70) marks as failed still counts
    spec = RequirementSpec(kind="simulation", codes=("SIM-01",), min_score=D("60"))
    facts = Facts(user_id=1, simulations={"SIM-01": SimResult(D("65"), {}, False, False, ON)})
    assert status(spec, facts).met


def test_simulation_red_line_hit_fails_whatever_the_score():
    spec = RequirementSpec(kind="simulation", codes=("SIM-01",), min_score=D("60"))
    facts = Facts(user_id=1, simulations={"SIM-01": SimResult(D("95"), {}, True, True, ON)})
    s = status(spec, facts)
    assert not s.met
    assert "红线" in s.progress


def test_cpd_hours_window_edges():
    spec = RequirementSpec(kind="cpd_hours", hours=D("40"), window_months=12)
    window = rules.trailing_window(ON, 12)
    assert window == (dt.date(2025, 7, 1), ON)
    facts = Facts(user_id=1, cpd_hours={window: D("32")})
    s = status(spec, facts)
    assert not s.met
    assert s.progress.startswith("已完成 32/40 学时")
    assert s.missing == ("还需 8 学时",)
    facts.cpd_hours[window] = D("40")
    assert status(spec, facts).met
    # the sources are asked for exactly this window
    level = LevelSpec(code="X", name="X", requirements=(spec,))
    assert rules.cpd_windows([level], ON) == {window}


def test_attendance_kind_and_window():
    spec = RequirementSpec(
        kind="attendance", attendance_kind="drill", hours=D("4"), window_months=12
    )
    start = rules.trailing_window(ON, 12)[0]
    facts = Facts(
        user_id=1,
        attendance=[
            Attendance("drill", D("2"), start, 1),  # first day of the window: counts
            Attendance("drill", D("2"), start - dt.timedelta(days=1), 2),  # a day early: not
            Attendance("training", D("6"), ON, 3),  # wrong kind
        ],
    )
    s = status(spec, facts)
    assert not s.met
    assert "2/4" in s.progress
    facts.attendance.append(Attendance("drill", D("2"), ON, 4))  # last day: counts
    assert status(spec, facts).met


def test_service_years_leap_day_start():
    spec = RequirementSpec(kind="service_years", years=D("1"))
    facts = Facts(user_id=1, service_start=dt.date(2024, 2, 29))
    assert not status(spec, facts, on=dt.date(2025, 2, 28)).met
    assert status(spec, facts, on=dt.date(2025, 3, 1)).met
    assert "2025-03-01" in status(spec, facts, on=dt.date(2025, 2, 28)).progress


def test_level_held_valid_and_for_n_years():
    spec = RequirementSpec(kind="level_held", other_level="C1", years=D("2"))
    held = HeldCertificate("C1", dt.date(2024, 7, 1), dt.date(2027, 6, 30), dt.date(2024, 7, 1))
    facts = Facts(user_id=1, certificates=[held])
    assert not status(spec, facts, on=dt.date(2026, 6, 30)).met
    assert status(spec, facts, on=dt.date(2026, 7, 1)).met


def test_expired_prerequisite_level_does_not_count():
    spec = RequirementSpec(kind="level_held", other_level="C1")
    held = HeldCertificate("C1", dt.date(2023, 1, 1), dt.date(2025, 12, 31), dt.date(2023, 1, 1))
    facts = Facts(user_id=1, certificates=[held])
    assert status(spec, facts, on=dt.date(2025, 12, 31)).met  # last day of validity
    s = status(spec, facts, on=dt.date(2026, 1, 1))
    assert not s.met
    assert s.progress == "C1 已失效"


def test_revoked_prerequisite_level_does_not_count():
    spec = RequirementSpec(kind="level_held", other_level="C1")
    held = HeldCertificate(
        "C1", dt.date(2025, 1, 1), dt.date(2027, 12, 31), dt.date(2025, 1, 1), revoked_on=ON
    )
    assert not status(spec, Facts(user_id=1, certificates=[held])).met


def test_renewal_chain_keeps_held_since():
    spec = RequirementSpec(kind="level_held", other_level="C1", years=D("3"))
    renewed = HeldCertificate("C1", dt.date(2026, 1, 1), dt.date(2028, 12, 31), dt.date(2023, 1, 1))
    assert status(spec, Facts(user_id=1, certificates=[renewed])).met


def test_case_review_level():
    street = RequirementSpec(kind="case", review_level="street")
    district = RequirementSpec(kind="case", review_level="district")
    facts = Facts(user_id=1, cases=[AcceptedCase(1, "street", ON)])
    assert status(street, facts).met
    assert not status(district, facts).met
    facts.cases.append(AcceptedCase(2, "district", ON))
    assert status(district, facts).met


def test_case_in_a_window_for_renewal():
    spec = RequirementSpec(kind="case", review_level="street", window_months=36)
    old = Facts(user_id=1, cases=[AcceptedCase(1, "street", dt.date(2023, 6, 30))])
    assert not status(spec, old).met  # 2023-06-30 is a day before the 36-month window
    new = Facts(user_id=1, cases=[AcceptedCase(1, "street", dt.date(2023, 7, 1))])
    assert status(spec, new).met


def test_qualification_at_least():
    spec = RequirementSpec(kind="qualification", qualification="social_worker")
    assert not status(spec, Facts(user_id=1, qualification="assistant")).met
    assert status(spec, Facts(user_id=1, qualification="social_worker")).met
    assert status(spec, Facts(user_id=1, qualification="senior")).met


def test_no_red_line_in_window():
    spec = RequirementSpec(kind="no_red_line", window_months=12)
    since = rules.trailing_window(ON, 12)[0]
    assert status(spec, Facts(user_id=1, red_line_hits={since: 0})).met
    s = status(spec, Facts(user_id=1, red_line_hits={since: 1}))
    assert not s.met
    level = LevelSpec(code="X", name="X", requirements=(spec,))
    assert rules.red_line_sinces([level], ON) == {since}


def test_appraisal_no_incompetent():
    spec = RequirementSpec(kind="appraisal", years=D("3"))
    assert status(spec, Facts(user_id=1, appraisals={2023: "competent", 2025: "basic"})).met
    s = status(spec, Facts(user_id=1, appraisals={2024: "incompetent"}))
    assert not s.met
    assert "2024" in s.progress
    # outside the window
    assert status(spec, Facts(user_id=1, appraisals={2022: "incompetent"})).met


def c2_like() -> LevelSpec:
    return LevelSpec(
        code="C2",
        name="中级",
        rank=2,
        requirements=(
            RequirementSpec(
                kind="level_held", other_level="C1", years=D("2"), choice_group=1, choice_option=1
            ),
            RequirementSpec(
                kind="qualification", qualification="social_worker", choice_group=1, choice_option=2
            ),
            RequirementSpec(
                kind="level_held", other_level="C1", years=D("1"), choice_group=1, choice_option=2
            ),
            RequirementSpec(kind="courses", codes=("SVC-201",)),
        ),
    )


def test_choice_groups_and_shortest_missing():
    c1 = HeldCertificate("C1", dt.date(2025, 6, 1), dt.date(2028, 5, 31), dt.date(2025, 6, 1))
    facts = Facts(user_id=1, certificates=[c1], qualification="social_worker")
    ev = rules.evaluate(c2_like(), facts, ON)
    # option 2 (社工师 + C1 ≥ 1 yr) is met on 2026-06-01; only the course is missing
    assert not ev.met
    assert ev.shortest_missing == ("完成课程 SVC-201",)
    facts.completed_courses["SVC-201"] = ON
    assert rules.evaluate(c2_like(), facts, ON).met
    # without the qualification, option 1 needs C1 for two years
    facts.qualification = ""
    ev = rules.evaluate(c2_like(), facts, ON)
    assert not ev.met
    assert len(ev.shortest_missing) == 1
    assert "2027-06-01" in ev.shortest_missing[0]


C0 = LevelSpec(
    code="C0",
    name="上岗合格",
    rank=0,
    validity_months=18,
    renewable=False,
    ends_when_next_issued=True,
    requirements=(RequirementSpec(kind="courses", codes=("POL-101",)),),
)
C1 = LevelSpec(
    code="C1",
    name="初级",
    rank=1,
    validity_months=36,
    requirements=(
        RequirementSpec(kind="level_held", other_level="C0"),
        RequirementSpec(kind="courses", codes=("MED-101",)),
        RequirementSpec(kind="cpd_hours", hours=D("40"), window_months=12, purpose="renew"),
    ),
)


def test_due_actions_first_award_and_nothing_twice():
    facts = Facts(user_id=1, completed_courses={"POL-101": ON})
    actions = rules.due_actions([C0, C1], facts, ON)
    assert [(a.level, a.purpose) for a in actions] == [("C0", "earn")]
    facts.certificates.append(HeldCertificate("C0", ON, dt.date(2027, 12, 29), ON))
    assert rules.due_actions([C0, C1], facts, ON) == []


def test_due_actions_c0_not_earned_once_c1_is_held():
    facts = Facts(
        user_id=1,
        completed_courses={"POL-101": ON},
        certificates=[
            HeldCertificate("C1", dt.date(2026, 1, 1), dt.date(2028, 12, 31), dt.date(2026, 1, 1))
        ],
    )
    assert rules.due_actions([C0, C1], facts, ON) == []


def test_due_actions_renewal_window_and_grace():
    expires = dt.date(2026, 9, 27)
    c1 = HeldCertificate("C1", dt.date(2023, 9, 28), expires, dt.date(2023, 9, 28))
    before_window = expires - dt.timedelta(days=91)
    in_window = expires - dt.timedelta(days=90)
    facts = Facts(user_id=1, certificates=[c1])
    facts.cpd_hours[rules.trailing_window(in_window, 12)] = D("40")
    facts.cpd_hours[rules.trailing_window(before_window, 12)] = D("40")
    assert rules.due_actions([C1], facts, before_window) == []
    actions = rules.due_actions([C1], facts, in_window)
    assert [(a.level, a.purpose) for a in actions] == [("C1", "renew")]
    # short of hours: no renewal
    facts.cpd_hours[rules.trailing_window(in_window, 12)] = D("39.5")
    assert rules.due_actions([C1], facts, in_window) == []
    # in the grace period after expiry, renewal is still possible
    late = expires + dt.timedelta(days=90)
    facts.cpd_hours[rules.trailing_window(late, 12)] = D("40")
    assert [a.purpose for a in rules.due_actions([C1], facts, late)] == ["renew"]
    # after the grace period, it must be earned again (C0 held is then required)
    later = expires + dt.timedelta(days=91)
    facts.cpd_hours[rules.trailing_window(later, 12)] = D("40")
    assert rules.due_actions([C1], facts, later) == []


def test_due_actions_revoked_blocks_reissue_until_it_would_have_expired():
    revoked = HeldCertificate(
        "C0",
        dt.date(2026, 1, 1),
        dt.date(2027, 6, 30),
        dt.date(2026, 1, 1),
        revoked_on=dt.date(2026, 3, 1),
    )
    facts = Facts(user_id=1, completed_courses={"POL-101": ON}, certificates=[revoked])
    assert rules.due_actions([C0], facts, ON) == []
    assert [a.level for a in rules.due_actions([C0], facts, dt.date(2027, 7, 1))] == ["C0"]


def test_due_actions_future_renewal_not_repeated():
    old = HeldCertificate("C1", dt.date(2023, 9, 28), dt.date(2026, 9, 27), dt.date(2023, 9, 28))
    new = HeldCertificate("C1", dt.date(2026, 9, 28), dt.date(2029, 9, 27), dt.date(2023, 9, 28))
    facts = Facts(user_id=1, certificates=[old, new])
    on = dt.date(2026, 8, 1)
    facts.cpd_hours[rules.trailing_window(on, 12)] = D("99")
    assert rules.due_actions([C1], facts, on) == []

"""Facts from the other apps' real query points, set-based evaluation, and the signals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from certification import rules, sources
from certification.models import Certificate
from certification.progress import evaluate_many, progress_for
from people.factories import WorkerProfileFactory


@pytest.fixture
def course(site):
    from courses.factories import CourseIndexPageFactory, CoursePageFactory

    index = CourseIndexPageFactory(parent=site)
    return CoursePageFactory(parent=index, code="POL-101", hours=Decimal("6"))


def test_gather_reads_courses_cpd_and_attendance(worker, course, credit, org):
    from courses.factories import TrainingSessionFactory
    from courses.models import Attendance, Enrollment, SessionKind

    today = timezone.localdate()
    Enrollment.objects.create(
        user=worker.user, course=course, source="self", completed_at=timezone.now()
    )
    credit(worker.user, 12, today)
    credit(worker.user, 30, today - dt.timedelta(days=400))  # outside the 12-month window
    session = TrainingSessionFactory(
        kind=SessionKind.DRILL, hours=Decimal("3"), org_unit=org.street_a, course=course
    )
    Attendance.objects.create(session=session, user=worker.user, method="manual", reason="现场签到")
    level = rules.LevelSpec(
        code="X",
        name="X",
        requirements=(
            rules.RequirementSpec(kind="cpd_hours", hours=Decimal("40"), window_months=12),
        ),
    )
    facts = sources.gather([worker], today, [level])[worker.pk]
    assert facts.completed_courses == {"POL-101": today}
    assert facts.cpd_hours[rules.trailing_window(today, 12)] == Decimal("12")
    assert [(a.kind, a.hours) for a in facts.attendance] == [("drill", Decimal("3"))]
    assert sources.catalogue().categories["policy"] == frozenset({"POL-101"})


def test_gather_reads_accepted_cases(worker, site, district_admin):
    from casebank.factories import build_case, publish
    from casebank.models import CaseAcceptance, CaseIndexPage

    index = site.add_child(instance=CaseIndexPage(title="案例库", slug="cases"))
    case = publish(
        build_case(index, title="三步听诊化解漏水纠纷", authors=[worker.user], owner=worker.user)
    )
    CaseAcceptance.objects.create(
        case=case,
        review_level="street",
        accepted_by=district_admin,
        accepted_on=dt.date(2026, 5, 1),
    )
    facts = sources.gather([worker], timezone.localdate(), [])[worker.pk]
    assert [(c.case_id, c.review_level) for c in facts.cases] == [(case.pk, "street")]


def test_gather_reads_appraisals_and_certificates(worker, level_c0):
    from certification import services
    from people.models import AnnualAppraisal

    AnnualAppraisal.objects.create(worker=worker, year=2025, result="excellent")
    services.issue_certificate(worker, level_c0, acting_user=None)
    facts = sources.gather([worker], timezone.localdate(), [])[worker.pk]
    assert facts.appraisals == {2025: "excellent"}
    assert [c.level_code for c in facts.certificates] == ["C0"]


def test_set_based_evaluation_query_count_does_not_grow(org, django_assert_max_num_queries):
    few = [WorkerProfileFactory(org_unit=org.grid_a1) for _ in range(3)]
    with django_assert_max_num_queries(25) as small:
        evaluate_many(few)
    many = few + [WorkerProfileFactory(org_unit=org.grid_b1) for _ in range(20)]
    with django_assert_max_num_queries(len(small.captured_queries)):
        verdicts = evaluate_many(many)
    assert len(verdicts) == 23
    assert all(v.next_level == "C0" for v in verdicts.values())


def test_set_based_answers_match_the_single_worker_view(worker, level_c0, other_worker):
    from certification import services

    services.issue_certificate(worker, level_c0, acting_user=None)
    verdicts = evaluate_many([worker, other_worker])
    mine = progress_for(worker, list(Certificate.objects.filter(worker=worker)))
    assert verdicts[worker.pk].held == ("C0",)
    assert verdicts[worker.pk].next_level == mine.next_level.code == "C1"
    assert verdicts[worker.pk].evaluation.shortest_missing == mine.evaluation.shortest_missing
    assert verdicts[other_worker.pk].next_level == "C0"


@pytest.mark.parametrize("which", ["exam_passed", "run_finished", "course_completed"])
def test_signals_enqueue_evaluation_on_commit(
    which, worker, simple_level, django_capture_on_commit_callbacks
):
    from assessments.signals import exam_passed
    from assessments.simulations.signals import run_finished
    from courses.signals import course_completed

    simple_level.requirements.update(kind="service_years", years=1, hours=None)
    signal = {
        "exam_passed": exam_passed,
        "run_finished": run_finished,
        "course_completed": course_completed,
    }[which]
    with django_capture_on_commit_callbacks(execute=True):
        signal.send(
            sender=None,
            user=worker.user,
            exam=None,
            scenario=None,
            run=None,
            attempt=None,
            course=None,
        )
        assert not Certificate.objects.exists(), "nothing happens before the commit"
    assert Certificate.objects.filter(worker=worker, level=simple_level).count() == 1


def test_signal_for_a_user_without_worker_profile_is_ignored(
    hr_district, simple_level, django_capture_on_commit_callbacks
):
    from courses.signals import course_completed

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course_completed.send(sender=None, user=hr_district, course=None)
    assert callbacks == []


def test_sweep_queues_renewals_no_event_triggered(worker, simple_level, credit):
    from certification import services

    today = timezone.localdate()
    services.issue_certificate(
        worker, simple_level, acting_user=None, on=today - dt.timedelta(days=365 * 3 - 30)
    )
    simple_level.requirements.update(kind="service_years", years=1, hours=None)
    assert services.sweep_due() == 1
    assert Certificate.objects.filter(worker=worker, level=simple_level).count() == 2
    assert services.sweep_due() == 0

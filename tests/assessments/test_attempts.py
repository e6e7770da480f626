import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.factories import ExamFactory, ExamPoolFactory, QuestionFactory
from assessments.models import Attempt, AttemptStatus, Category, QuestionType
from assessments.tasks import submit_overdue_attempts

from .conftest import correct_answer, wrong_answer


def _as_file_database_would(fn):
    """Run ``fn``, waiting out SQLite's shared-cache table lock.

    The in-memory SQLite test database answers "table is locked" at once where a file database
    (WAL, busy timeout 20 s in settings) simply waits; PostgreSQL blocks on the row lock and never
    gets here. Either way the service must produce one result.
    """
    import time

    from django.db import OperationalError

    for _try in range(200):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("database stayed locked")


def test_start_creates_one_attempt_and_returns_it_again(exam, learner):
    attempt, created = services.start_attempt(exam, acting_user=learner)
    again, created_again = services.start_attempt(exam, acting_user=learner)
    assert created and not created_again
    assert again.pk == attempt.pk
    assert attempt.items.count() == 4
    assert ModelLogEntry.objects.filter(action="assessments.attempt_started").count() == 1


def test_deadline_is_the_earlier_of_time_limit_and_window_close(exam, learner):
    now = timezone.now()
    exam.time_limit_minutes = 30
    exam.closes_at = now + dt.timedelta(minutes=10)
    exam.save()
    attempt, _ = services.start_attempt(exam, acting_user=learner, now=now)
    assert attempt.deadline == exam.closes_at
    exam.closes_at = now + dt.timedelta(hours=5)
    exam.save()
    other = ExamFactory(
        code="EX-2", time_limit_minutes=20, questions=[attempt.items.first().question]
    )
    attempt2, _ = services.start_attempt(other, acting_user=learner, now=now)
    assert attempt2.deadline == now + dt.timedelta(minutes=20)


def test_window_and_max_attempts_are_enforced(exam, learner):
    now = timezone.now()
    exam.opens_at = now + dt.timedelta(days=1)
    exam.save()
    with pytest.raises(services.ExamNotOpen):
        services.start_attempt(exam, acting_user=learner, now=now)
    exam.opens_at = None
    exam.closes_at = now - dt.timedelta(minutes=1)
    exam.save()
    with pytest.raises(services.ExamNotOpen):
        services.start_attempt(exam, acting_user=learner, now=now)
    exam.closes_at = None
    exam.max_attempts = 1
    exam.save()
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    services.submit_attempt(attempt, acting_user=learner)
    with pytest.raises(services.NoAttemptsLeft):
        services.start_attempt(exam, acting_user=learner)
    assert Attempt.objects.filter(exam=exam, user=learner).count() == 1


def test_stale_seq_is_refused_and_newer_answer_kept(exam, learner):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.FILL_BLANK)
    services.save_answer(attempt, item.question_id, "满意率", 2, acting_user=learner)
    with pytest.raises(services.StaleAnswer) as exc:
        services.save_answer(attempt, item.question_id, "旧答案", 1, acting_user=learner)
    assert exc.value.extra["current_seq"] == 2
    with pytest.raises(services.StaleAnswer):
        services.save_answer(attempt, item.question_id, "同序号", 2, acting_user=learner)
    item.refresh_from_db()
    assert (item.answer, item.seq) == ("满意率", 2)


def test_writes_after_deadline_plus_grace_are_refused(exam, learner, settings):
    settings.ASSESSMENTS_GRACE_SECONDS = 30
    start = timezone.now()
    attempt, _ = services.start_attempt(exam, acting_user=learner, now=start)
    item = attempt.items.get(question__qtype=QuestionType.FILL_BLANK)
    within_grace = attempt.deadline + dt.timedelta(seconds=20)
    services.save_answer(
        attempt, item.question_id, "满意率", 1, acting_user=learner, now=within_grace
    )
    too_late = attempt.deadline + dt.timedelta(seconds=31)
    with pytest.raises(services.DeadlinePassed):
        services.save_answer(
            attempt, item.question_id, "晚了", 2, acting_user=learner, now=too_late
        )
    item.refresh_from_db()
    assert item.answer == "满意率"


def test_answer_to_question_outside_attempt_is_refused(exam, learner):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    stranger = QuestionFactory(code="OUTSIDE")
    with pytest.raises(services.NotInAttempt):
        services.save_answer(attempt, stranger.pk, 1, 1, acting_user=learner)


def test_submit_scores_and_is_idempotent(exam, learner):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    items = list(attempt.items.all())
    for item in items[:3]:
        services.save_answer(
            attempt, item.question_id, correct_answer(item), 1, acting_user=learner
        )
    services.save_answer(
        attempt, items[3].question_id, wrong_answer(items[3]), 1, acting_user=learner
    )
    first = services.submit_attempt(attempt, acting_user=learner)
    second = services.submit_attempt(attempt, acting_user=learner)
    assert first.status == AttemptStatus.GRADED
    assert first.score == Decimal("75.00") and first.passed
    assert second.pk == first.pk and second.score == first.score
    assert ModelLogEntry.objects.filter(action="assessments.attempt_submitted").count() == 1
    with pytest.raises(services.AttemptClosed):
        services.save_answer(
            attempt, items[3].question_id, correct_answer(items[3]), 2, acting_user=learner
        )


def test_overdue_task_submits_from_last_saved_answers(exam, learner):
    start = timezone.now() - dt.timedelta(hours=2)
    attempt, _ = services.start_attempt(exam, acting_user=learner, now=start)
    item = attempt.items.get(question__qtype=QuestionType.TRUE_FALSE)
    services.save_answer(attempt, item.question_id, True, 1, acting_user=learner, now=start)
    assert submit_overdue_attempts.delay().get() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal("25.00")
    # Running again changes nothing.
    assert submit_overdue_attempts.delay().get() == 0


def test_pools_draw_from_matching_questions_without_repeats(learner):
    for i in range(6):
        QuestionFactory(code=f"MED-{i}", category=Category.MEDIATION)
    for i in range(3):
        QuestionFactory(code=f"EMG-{i}", category=Category.EMERGENCY)
    pool = ExamPoolFactory(exam__code="EX-POOL", category=Category.MEDIATION, count=4)
    attempt, _ = services.start_attempt(pool.exam, acting_user=learner)
    codes = [i.question.code for i in attempt.items.all()]
    assert len(codes) == 4 == len(set(codes))
    assert all(c.startswith("MED-") for c in codes)


def test_shuffle_orders_questions_and_options_per_attempt(learner, other_learner):
    qs = [QuestionFactory(code=f"SH-{i}") for i in range(8)]
    exam = ExamFactory(code="EX-SHUF", questions=qs, shuffle_questions=True, shuffle_options=True)
    orders = set()
    option_orders = set()
    for user in (learner, other_learner):
        for _round in range(3):
            attempt, _ = services.start_attempt(exam, acting_user=user)
            orders.add(tuple(i.question_id for i in attempt.items.all()))
            option_orders.update(tuple(i.option_order) for i in attempt.items.all())
            services.submit_attempt(attempt, acting_user=user)
    assert len(orders) > 1
    assert len(option_orders) > 1


def test_editing_the_bank_does_not_change_an_attempt(exam, learner):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.TRUE_FALSE)
    question = item.question
    question.true_false_answer = False
    question.text = "已修改"
    question.save()
    services.save_answer(attempt, item.question_id, True, 1, acting_user=learner)
    result = services.submit_attempt(attempt, acting_user=learner)
    item.refresh_from_db()
    assert item.snapshot["text"] != "已修改"
    assert item.is_correct is True
    assert result.score == Decimal("25.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_give_one_result(org):
    from people.factories import WorkerProfileFactory

    user = WorkerProfileFactory(org_unit=org.grid_a1).user
    q = QuestionFactory(code="CC-1", qtype=QuestionType.TRUE_FALSE)
    exam = ExamFactory(code="EX-CC", questions=[q])
    attempt, _ = services.start_attempt(exam, acting_user=user)
    services.save_answer(attempt, q.pk, True, 1, acting_user=user)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(
                _as_file_database_would(
                    lambda: services.submit_attempt(attempt, acting_user=user).score
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [Decimal("100.00"), Decimal("100.00")]
    assert ModelLogEntry.objects.filter(action="assessments.attempt_submitted").count() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED


@pytest.mark.django_db(transaction=True)
def test_two_tabs_starting_at_once_get_one_attempt(org):
    from people.factories import WorkerProfileFactory

    user = WorkerProfileFactory(org_unit=org.grid_a1).user
    q = QuestionFactory(code="CC-2", qtype=QuestionType.TRUE_FALSE)
    exam = ExamFactory(code="EX-CC2", questions=[q])
    barrier = threading.Barrier(2)
    ids, errors = [], []

    def start():
        try:
            barrier.wait()
            ids.append(
                _as_file_database_would(
                    lambda: services.start_attempt(exam, acting_user=user)[0].pk
                )
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1
    assert Attempt.objects.filter(exam=exam, user=user).count() == 1

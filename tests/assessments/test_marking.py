from decimal import Decimal

import pytest

from assessments import services
from assessments.models import AttemptStatus, MarkingState
from assessments.signals import exam_passed
from people.factories import UserFactory
from people.roles import TRAINER

from .conftest import correct_answer


def _sit(exam, user, short_text="应当告知当事人可以申请司法确认，并载明协议内容、履行方式和期限。"):
    attempt, _ = services.start_attempt(exam, acting_user=user)
    for item in attempt.items.all():
        answer = short_text if item.snapshot["type"] == "short_answer" else correct_answer(item)
        services.save_answer(attempt, item.question_id, answer, 1, acting_user=user)
    return services.submit_attempt(attempt, acting_user=user)


@pytest.fixture
def second_trainer(org):
    return UserFactory(
        username="trainer2", name="吴海燕", roles=[TRAINER], jurisdiction=org.district
    )


@pytest.fixture
def third_trainer(org):
    return UserFactory(
        username="trainer3", name="宋建军", roles=[TRAINER], jurisdiction=org.district
    )


def test_short_answer_waits_for_marking_then_releases(
    marked_exam, learner, trainer, django_capture_on_commit_callbacks
):
    received = []
    exam_passed.connect(
        lambda **kw: received.append(kw["attempt"].pk), weak=False, dispatch_uid="t1"
    )
    try:
        attempt = _sit(marked_exam, learner)
        assert attempt.status == AttemptStatus.MARKING and attempt.score is None
        item = attempt.items.get(marking_state=MarkingState.PENDING)
        with django_capture_on_commit_callbacks(execute=True):
            services.record_mark(item, levels={"0": 2, "1": 1}, acting_user=trainer)
        attempt.refresh_from_db()
    finally:
        exam_passed.disconnect(dispatch_uid="t1")
    # 1 point objective + 6 × (4+1)/6 = 5 points → 6 of 7.
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.points_awarded == Decimal("6.00")
    assert attempt.score == Decimal("85.71") and attempt.passed
    assert received == [attempt.pk]


def test_empty_short_answer_needs_no_marker(marked_exam, learner):
    attempt = _sit(marked_exam, learner, short_text="")
    assert attempt.status == AttemptStatus.GRADED


def test_double_marking_close_marks_are_averaged(marked_exam, learner, trainer, second_trainer):
    marked_exam.double_marking = True
    marked_exam.double_marking_tolerance = Decimal("1")
    marked_exam.save()
    attempt = _sit(marked_exam, learner)
    item = attempt.items.get(marking_state=MarkingState.PENDING)
    services.record_mark(item, levels={"0": 2, "1": 2}, acting_user=trainer)  # 6
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKING
    services.record_mark(item, levels={"0": 2, "1": 1}, acting_user=second_trainer)  # 5
    item.refresh_from_db()
    assert item.points == Decimal("5.50") and item.marking_state == MarkingState.DONE


def test_double_marking_far_apart_goes_to_third_marker(
    marked_exam, learner, trainer, second_trainer, third_trainer
):
    marked_exam.double_marking = True
    marked_exam.save()
    attempt = _sit(marked_exam, learner)
    item = attempt.items.get(marking_state=MarkingState.PENDING)
    services.record_mark(item, levels={"0": 2, "1": 2}, acting_user=trainer)  # 6
    services.record_mark(item, levels={"0": 0, "1": 0}, acting_user=second_trainer)  # 0
    item.refresh_from_db()
    assert item.marking_state == MarkingState.THIRD
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKING
    services.record_mark(item, levels={"0": 2, "1": 1}, acting_user=third_trainer)  # 5
    item.refresh_from_db()
    assert item.points == Decimal("5.50")  # mean of the two closest marks (6 and 5)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED


def test_same_marker_cannot_mark_twice_and_learner_cannot_mark_self(marked_exam, learner, trainer):
    marked_exam.double_marking = True
    marked_exam.save()
    attempt = _sit(marked_exam, learner)
    item = attempt.items.get(marking_state=MarkingState.PENDING)
    services.record_mark(item, levels={"0": 1, "1": 1}, acting_user=trainer)
    with pytest.raises(services.AttemptClosed):
        services.record_mark(item, levels={"0": 1, "1": 1}, acting_user=trainer)
    with pytest.raises(services.AttemptClosed):
        services.record_mark(item, levels={"0": 1, "1": 1}, acting_user=learner)


def test_incomplete_rubric_is_refused(marked_exam, learner, trainer):
    attempt = _sit(marked_exam, learner)
    item = attempt.items.get(marking_state=MarkingState.PENDING)
    with pytest.raises(services.InvalidAnswer):
        services.record_mark(item, levels={"0": 1}, acting_user=trainer)
    assert not item.marks.exists()

from decimal import Decimal

import pytest

from assessments import grading
from assessments.factories import QuestionFactory
from assessments.models import QuestionType


def test_normalise_folds_full_width_spaces_and_case():
    assert grading.normalise("ＡＢＣ　１２３") == grading.normalise("abc123")
    assert grading.normalise(" 满 意 率 ") == "满意率"
    assert grading.normalise("１２３４５") == "12345"


@pytest.mark.django_db
def test_fill_blank_accepts_full_width_and_spaced_variants():
    q = QuestionFactory(
        code="FB-1", qtype=QuestionType.FILL_BLANK, accepted_answers="12345\n市民热线"
    )
    snap = grading.build_snapshot(q)
    assert grading.score_objective(snap, "１２３４５")[1] is True
    assert grading.score_objective(snap, " 市民 热线 ")[1] is True
    assert grading.score_objective(snap, "110")[1] is False
    assert grading.score_objective(snap, "")[1] is False


@pytest.mark.django_db
def test_multiple_choice_is_all_or_nothing():
    q = QuestionFactory(code="MC-1", qtype=QuestionType.MULTIPLE, points=2)
    snap = grading.build_snapshot(q)
    key = [o["id"] for o in snap["options"] if o["correct"]]
    assert grading.score_objective(snap, key) == (Decimal("2.00"), True)
    assert grading.score_objective(snap, key[:1]) == (Decimal("0.00"), False)


@pytest.mark.django_db
def test_public_view_carries_no_key():
    q = QuestionFactory(code="S-1", qtype=QuestionType.SINGLE)
    snap = grading.build_snapshot(q)
    view = grading.public_view(snap, grading.option_order(snap, None))
    assert "correct" not in str(view)
    assert "explanation" not in view
    assert [o["text"] for o in view["options"]] == [o["text"] for o in snap["options"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("qtype", "value"),
    [
        (QuestionType.SINGLE, "A"),
        (QuestionType.SINGLE, True),
        (QuestionType.SINGLE, 999999),
        (QuestionType.MULTIPLE, 3),
        (QuestionType.MULTIPLE, [999999]),
        (QuestionType.TRUE_FALSE, "true"),
        (QuestionType.FILL_BLANK, 5),
        (QuestionType.FILL_BLANK, "x" * 201),
        (QuestionType.SHORT_ANSWER, "x" * 5001),
    ],
)
def test_malformed_answers_are_refused(qtype, value):
    q = QuestionFactory(qtype=qtype)
    with pytest.raises(grading.AnswerError):
        grading.validate_answer(grading.build_snapshot(q), value)


@pytest.mark.django_db
def test_rubric_points_scale_to_question_points():
    q = QuestionFactory(code="SA-1", qtype=QuestionType.SHORT_ANSWER, points=6)
    snap = grading.build_snapshot(q)
    # Rubric max = 4 + 2 = 6; choosing levels worth 2 + 1 = 3 → half of 6 points.
    assert grading.rubric_points(snap, {"0": 1, "1": 1}) == Decimal("3.00")
    assert grading.rubric_points(snap, {"0": 2, "1": 2}) == Decimal("6.00")
    with pytest.raises(grading.AnswerError):
        grading.rubric_points(snap, {"0": 1})
    with pytest.raises(grading.AnswerError):
        grading.rubric_points(snap, {"0": 1, "1": 9})

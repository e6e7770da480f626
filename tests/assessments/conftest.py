import pytest
from django.core.cache import cache

from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import QuestionType


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The statistics debounce keeps a per-exam key in the cache; tests reuse exam ids."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def questions(db):
    """One question of every type, in a fixed order."""
    return {
        "single": QuestionFactory(code="T-SINGLE", qtype=QuestionType.SINGLE),
        "multiple": QuestionFactory(code="T-MULTI", qtype=QuestionType.MULTIPLE),
        "true_false": QuestionFactory(code="T-TF", qtype=QuestionType.TRUE_FALSE),
        "fill_blank": QuestionFactory(code="T-FILL", qtype=QuestionType.FILL_BLANK),
    }


@pytest.fixture
def exam(questions):
    return ExamFactory(code="EX-TEST", title="调解法测验", questions=list(questions.values()))


@pytest.fixture
def short_question(db):
    return QuestionFactory(code="T-SHORT", qtype=QuestionType.SHORT_ANSWER, points=6)


@pytest.fixture
def marked_exam(questions, short_question):
    return ExamFactory(
        code="EX-MARK",
        title="含简答的测验",
        questions=[questions["single"], short_question],
    )


def correct_answer(item):
    """The right answer for an AttemptQuestion (test helper)."""
    snap = item.snapshot
    t = snap["type"]
    if t == "single":
        return next(o["id"] for o in snap["options"] if o["correct"])
    if t == "multiple":
        return [o["id"] for o in snap["options"] if o["correct"]]
    if t == "true_false":
        return snap["answer"]
    if t == "fill_blank":
        return snap["accepted"][0]
    return "答案"


def wrong_answer(item):
    snap = item.snapshot
    t = snap["type"]
    if t == "single":
        return next(o["id"] for o in snap["options"] if not o["correct"])
    if t == "multiple":
        return [next(o["id"] for o in snap["options"] if not o["correct"])]
    if t == "true_false":
        return not snap["answer"]
    if t == "fill_blank":
        return "不知道"
    return ""

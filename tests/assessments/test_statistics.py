import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import grading, services
from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    ExamStatistics,
    ItemStatistics,
    Question,
    QuestionType,
)
from assessments.statistics import compute_item_statistics, flags_for, scatter_svg
from people.factories import UserFactory, WorkerProfileFactory

# Five learners × three true/false items; 1 = right, 0 = wrong.
MATRIX = [
    [1, 1, 0],
    [1, 1, 1],
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, 0],
]


@pytest.fixture
def sat_exam(org, django_capture_on_commit_callbacks):
    qs = [QuestionFactory(code=f"ST-{i}", qtype=QuestionType.TRUE_FALSE) for i in range(3)]
    exam = ExamFactory(code="EX-STAT", questions=qs)
    # One transaction for all five: statistics are scheduled once and see every attempt.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for row in MATRIX:
            user = WorkerProfileFactory(org_unit=org.grid_a1).user
            attempt, _ = services.start_attempt(exam, acting_user=user)
            for item in attempt.items.all():
                right = row[int(item.question.code[-1])]
                services.save_answer(attempt, item.question_id, bool(right), 1, acting_user=user)
            services.submit_attempt(attempt, acting_user=user)
    assert sum(1 for c in callbacks if getattr(c, "ga_statistics_exam", None)) == 1
    return exam, qs


def _kr20(matrix):
    k = len(matrix[0])
    n = len(matrix)
    totals = [sum(r) for r in matrix]
    mean = sum(totals) / n
    var_total = sum((t - mean) ** 2 for t in totals) / n
    pq = 0.0
    for j in range(k):
        p = sum(r[j] for r in matrix) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / var_total)


def test_statistics_match_hand_computation(sat_exam):
    exam, qs = sat_exam
    stats = compute_item_statistics(exam)
    assert stats.attempts == 5
    assert stats.alpha_method == "KR-20"
    assert math.isclose(stats.alpha, _kr20(MATRIX), abs_tol=1e-9)
    by_code = {s.question.code: s for s in ItemStatistics.objects.filter(exam=exam)}
    assert by_code["ST-0"].facility == 1.0
    assert by_code["ST-1"].facility == pytest.approx(0.6)
    assert by_code["ST-0"].discrimination is None  # everyone right: no variance
    assert "too_easy" in by_code["ST-0"].flags
    tf_counts = {d["option"]: d["count"] for d in by_code["ST-2"].distractors}
    assert sorted(tf_counts.values()) == [2, 3]
    assert stats.mean_score == Decimal("66.67")


def test_statistics_are_recomputed_by_the_task_after_submission(sat_exam):
    exam, _qs = sat_exam
    # The eager Celery task ran after each submission.
    assert ExamStatistics.objects.get(exam=exam).attempts == 5
    assert ItemStatistics.objects.filter(exam=exam).count() == 3


def test_recompute_is_idempotent(sat_exam):
    exam, _qs = sat_exam
    compute_item_statistics(exam)
    compute_item_statistics(exam)
    assert ItemStatistics.objects.filter(exam=exam).count() == 3


def test_flags():
    assert flags_for(0.1, 0.5, 10) == ["too_hard"]
    assert flags_for(0.5, -0.2, 10) == ["negative_discrimination"]
    assert flags_for(0.5, 0.05, 10) == ["low_discrimination"]
    assert flags_for(0.5, 0.4, 10) == []
    assert flags_for(0.95, 0.4, 1) == []


def test_chart_is_inline_svg_with_one_point_per_item(sat_exam):
    exam, _qs = sat_exam
    compute_item_statistics(exam)
    rows = list(enumerate(ItemStatistics.objects.filter(exam=exam), start=1))
    svg = str(scatter_svg(rows))
    assert svg.startswith("<svg") and svg.count("<circle") == 3
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


# --- a generated exam: the streamed computation against a straightforward one -------------


def _generated_exam(n_attempts: int, seed: int = 7):
    """Graded attempts written directly: five questions everyone answered, three of six drawn
    at random, right/wrong and partly-marked items, some unanswered."""
    rng = random.Random(seed)
    types = [
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.FILL_BLANK,
        QuestionType.SHORT_ANSWER,
    ]
    common = [
        QuestionFactory(code=f"GEN-C{i}", qtype=types[i % 5], points=1 + i % 3) for i in range(5)
    ]
    pool = [QuestionFactory(code=f"GEN-P{i}", qtype=types[(i + 2) % 5]) for i in range(6)]
    exam = ExamFactory(code=f"EX-GEN-{seed}", questions=common)
    questions = Question.objects.filter(pk__in=[q.pk for q in common + pool])
    snapshots = {q.pk: grading.build_snapshot(q) for q in questions.prefetch_related("options")}
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"gen-{seed}-{i}") for i in range(n_attempts)
    )
    start = timezone.now() - dt.timedelta(days=1)
    attempts = Attempt.objects.bulk_create(
        Attempt(
            exam=exam,
            user=u,
            number=1,
            started_at=start + dt.timedelta(minutes=rng.randrange(600)),
            status=AttemptStatus.GRADED,
            graded_at=start + dt.timedelta(hours=12),
        )
        for u in users
    )
    items = []
    for attempt in attempts:
        ability = rng.random()
        drawn = common + rng.sample(pool, 3)
        rng.shuffle(drawn)
        for position, q in enumerate(drawn, start=1):
            snap = snapshots[q.pk]
            right = rng.random() < ability
            maximum = Decimal(snap["points"])
            points = maximum if right else Decimal("0")
            answer = None
            if snap["type"] == QuestionType.SINGLE:
                answer = rng.choice([o["id"] for o in snap["options"]])
            elif snap["type"] == QuestionType.MULTIPLE:
                answer = sorted(rng.sample([o["id"] for o in snap["options"]], 2))
            elif snap["type"] == QuestionType.TRUE_FALSE:
                answer = rng.random() < 0.6
            elif snap["type"] == QuestionType.FILL_BLANK:
                answer = "满意率" if right else "不知道"
            else:
                answer = "答案"
                points = Decimal(rng.choice(["0", "1.5", "3", "4.5", "6"]))
                maximum = Decimal("6")
            if rng.random() < 0.1:
                answer, points = None, Decimal("0")
            items.append(
                AttemptQuestion(
                    attempt=attempt,
                    question=q,
                    position=position,
                    snapshot=snap,
                    answer=answer,
                    max_points=maximum,
                    points=points,
                    is_correct=right,
                )
            )
    AttemptQuestion.objects.bulk_create(items)
    # An attempt still in progress is left out of the statistics.
    Attempt.objects.create(exam=exam, user=UserFactory(), number=1, started_at=start)
    return exam


def _straightforward(exam):
    """The statistics from every graded row loaded as a model instance (the definitions)."""
    rows = list(
        AttemptQuestion.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.GRADED)
    )
    raw = defaultdict(dict)
    frac = defaultdict(dict)
    possible = defaultdict(float)
    snap = {}
    counts = {}
    for r in rows:
        raw[r.attempt_id][r.question_id] = float(r.points or 0)
        frac[r.attempt_id][r.question_id] = float(r.points or 0) / float(r.max_points)
        possible[r.attempt_id] += float(r.max_points)
        snap.setdefault(r.question_id, r.snapshot)
        t = r.snapshot["type"]
        if t in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            c = counts.setdefault(r.question_id, {o["id"]: 0 for o in r.snapshot["options"]})
            chosen = (
                [] if r.answer is None else r.answer if isinstance(r.answer, list) else [r.answer]
            )
            for oid in chosen:
                c[oid] += 1
        elif t == QuestionType.TRUE_FALSE:
            c = counts.setdefault(r.question_id, {"true": 0, "false": 0})
            if r.answer is not None:
                c["true" if r.answer else "false"] += 1
    attempts = list(raw)
    totals = {a: sum(raw[a].values()) for a in attempts}

    def var(xs):
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs) / len(xs)

    items = {}
    for q in snap:
        who = [a for a in attempts if q in raw[a]]
        xs = [frac[a][q] for a in who]
        ys = [totals[a] - raw[a][q] for a in who]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        d = None
        if len(xs) > 1 and var(xs) and var(ys):
            cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
            d = cov / math.sqrt(var(xs) * var(ys))
        items[q] = (len(xs), mx, d, list(counts.get(q, {}).values()))
    common = [q for q in snap if all(q in raw[a] for a in attempts)]
    k = len(common)
    alpha = (
        k
        / (k - 1)
        * (
            1
            - sum(var([raw[a][q] for a in attempts]) for q in common)
            / var([sum(raw[a][q] for q in common) for a in attempts])
        )
    )
    scores = [100 * totals[a] / possible[a] for a in attempts]
    return items, alpha, len(common), scores


def test_streamed_statistics_equal_the_straightforward_computation(org):
    exam = _generated_exam(60)
    stats = compute_item_statistics(exam)
    items, alpha, n_common, scores = _straightforward(exam)
    assert stats.attempts == 60
    assert stats.alpha_items == n_common == 5
    assert stats.alpha == pytest.approx(alpha, rel=1e-12)
    assert stats.alpha_method == "alpha"  # a short answer is among the common items
    mean = sum(scores) / len(scores)
    assert stats.mean_score == Decimal(f"{mean:.2f}")
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    assert stats.sd_score == Decimal(f"{sd:.2f}")
    stored = {s.question_id: s for s in ItemStatistics.objects.filter(exam=exam)}
    assert set(stored) == set(items)
    for qid, (responses, facility, discrimination, counts) in items.items():
        s = stored[qid]
        assert s.responses == responses
        assert s.facility == pytest.approx(facility, rel=1e-12)
        if discrimination is None:
            assert s.discrimination is None
        else:
            assert s.discrimination == pytest.approx(discrimination, rel=1e-9, abs=1e-12)
        assert [d["count"] for d in s.distractors] == counts
        assert s.flags == flags_for(s.facility, s.discrimination, s.responses)


def test_statistics_queries_do_not_grow_with_attempts(org, django_assert_num_queries):
    small, large = _generated_exam(5, seed=1), _generated_exam(40, seed=2)
    compute_item_statistics(small)
    compute_item_statistics(large)  # both recompute: same path (update, not create)
    with CaptureQueriesContext(connection) as few:
        compute_item_statistics(small)
    with django_assert_num_queries(len(few)):
        compute_item_statistics(large)


# --- debounced recomputation ------------------------------------------------------------


def _sit_and_submit(exam, org):
    user = WorkerProfileFactory(org_unit=org.grid_a1).user
    attempt, _ = services.start_attempt(exam, acting_user=user)
    for item in attempt.items.all():
        services.save_answer(attempt, item.question_id, True, 1, acting_user=user)
    return services.submit_attempt(attempt, acting_user=user)


@pytest.mark.django_db(transaction=True)
def test_submissions_queue_one_recomputation_per_exam_and_delay(org, settings):
    # Real commits: each submission is its own transaction, as on exam day.
    settings.ASSESSMENTS_STATISTICS_DELAY = 300
    qs = [QuestionFactory(code=f"DB-{i}", qtype=QuestionType.TRUE_FALSE) for i in range(2)]
    exam = ExamFactory(code="EX-DEBOUNCE", questions=qs)
    other = ExamFactory(code="EX-OTHER", questions=qs)
    with mock.patch("assessments.tasks.compute_item_statistics.apply_async") as queued:
        for _ in range(4):
            _sit_and_submit(exam, org)
        _sit_and_submit(other, org)
        assert queued.call_args_list == [
            mock.call((exam.pk,), countdown=300),
            mock.call((other.pk,), countdown=300),
        ]
        # Once the delay has passed (the key expired), the next submission queues again.
        cache.delete(services.STATISTICS_QUEUED_KEY.format(exam_id=exam.pk))
        _sit_and_submit(exam, org)
        assert queued.call_count == 3


@pytest.mark.django_db(transaction=True)
def test_statistics_page_shows_every_graded_attempt_despite_the_debounce(org, trainer, client_for):
    qs = [QuestionFactory(code=f"PG-{i}", qtype=QuestionType.TRUE_FALSE) for i in range(2)]
    exam = ExamFactory(code="EX-PAGE", questions=qs)
    for _ in range(3):
        # No broker in tests: the first submission's recomputation runs at once, the next
        # two are debounced.
        _sit_and_submit(exam, org)
    assert ExamStatistics.objects.get(exam=exam).attempts == 1
    url = reverse("assessments:exam_statistics", args=[exam.pk])
    client = client_for(trainer)
    html = client.get(url).content.decode()
    assert ExamStatistics.objects.get(exam=exam).attempts == 3
    assert ItemStatistics.objects.get(exam=exam, question=qs[0]).responses == 3
    assert "PG-0" in html
    # Up to date: viewing again recomputes nothing.
    computed = ExamStatistics.objects.get(exam=exam).computed_at
    client.get(url)
    assert ExamStatistics.objects.get(exam=exam).computed_at == computed


def test_statistics_page_without_graded_attempts_computes_nothing(exam, trainer, client_for):
    html = client_for(trainer).get(reverse("assessments:exam_statistics", args=[exam.pk]))
    assert html.status_code == 200
    assert not ExamStatistics.objects.filter(exam=exam).exists()

"""Every write of the assessments app: start, save, submit, mark, import.

Each function runs in one transaction, locks the attempt row it changes (``select_for_update``)
and claims state changes with conditional updates, so two tabs, a retry and the overdue task
racing each other still leave exactly one result. Side effects (signals, course completion,
statistics) run after commit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import grading
from .models import (
    CHOICE_TYPES,
    OBJECTIVE_TYPES,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    Mark,
    MarkingState,
    Question,
    QuestionOption,
)
from .signals import exam_passed


class AssessmentError(Exception):
    """A refused action; ``str(exc)`` is a message for the learner or trainer."""

    status = 409

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra


class ExamNotOpen(AssessmentError):
    pass


class NoAttemptsLeft(AssessmentError):
    pass


class AttemptClosed(AssessmentError):
    pass


class DeadlinePassed(AssessmentError):
    pass


class StaleAnswer(AssessmentError):
    pass


class NotInAttempt(AssessmentError):
    status = 404


class InvalidAnswer(AssessmentError):
    status = 400


def grace() -> dt.timedelta:
    """Writes arriving this long after the deadline still count (network latency)."""
    return dt.timedelta(seconds=getattr(settings, "ASSESSMENTS_GRACE_SECONDS", 30))


def compute_deadline(exam: Exam, started_at: dt.datetime) -> dt.datetime | None:
    """min(start + time limit, window close); None when neither applies."""
    candidates = []
    if exam.time_limit_minutes:
        candidates.append(started_at + dt.timedelta(minutes=exam.time_limit_minutes))
    if exam.closes_at:
        candidates.append(exam.closes_at)
    return min(candidates) if candidates else None


def seconds_remaining(attempt: Attempt, now: dt.datetime | None = None) -> int | None:
    if attempt.deadline is None:
        return None
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def is_overdue(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return attempt.deadline is not None and now > attempt.deadline + grace()


def attempts_used(exam: Exam, user) -> int:
    return Attempt.objects.filter(exam=exam, user=user).count()


# --- start --------------------------------------------------------------------------------


def _draw_questions(exam: Exam, rng: random.Random) -> tuple[list[Question], dict[int, list]]:
    """The questions of a new attempt, in order, and the snapshot options of each.

    A fixed number of queries whatever the number of questions: fixed questions, pools, one per
    pool, the questions and all their options.
    """
    chosen: list[int] = list(exam.fixed_questions.all().values_list("question_id", flat=True))
    for pool in exam.pools.all():
        candidates = list(
            pool.matching().exclude(pk__in=chosen).values_list("pk", flat=True).distinct()
        )
        chosen.extend(rng.sample(candidates, min(pool.count, len(candidates))))
    questions = {q.pk: q for q in Question.objects.filter(pk__in=chosen)}
    ordered = [questions[pk] for pk in chosen if pk in questions]
    if exam.shuffle_questions:
        rng.shuffle(ordered)
    options: dict[int, list] = {}
    choice_ids = [q.pk for q in ordered if q.qtype in CHOICE_TYPES]
    if choice_ids:
        # The order of ``question.options.all()`` (sort_order), as build_snapshot reads it.
        rows = (
            QuestionOption.objects.filter(question_id__in=choice_ids)
            .order_by("sort_order")
            .values_list("question_id", "pk", "text", "is_correct")
        )
        for question_id, pk, text, is_correct in rows:
            options.setdefault(question_id, []).append(
                {"id": pk, "text": text, "correct": is_correct}
            )
    return ordered, options


def start_attempt(
    exam: Exam, *, acting_user, now: dt.datetime | None = None
) -> tuple[Attempt, bool]:
    """Start an attempt, or return the one in progress. Returns ``(attempt, created)``.

    Its cost does not grow with the number of questions: the snapshots are built from two
    queries and the attempt questions are written with one bulk insert.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Serialise starts of one learner: the user row is the lock.
        get_user_model().objects.select_for_update().filter(pk=acting_user.pk).values_list(
            "pk", flat=True
        ).first()
        # This learner's attempts at the exam: the one in progress, how many, the last number.
        mine = list(
            Attempt.objects.filter(exam=exam, user=acting_user)
            .order_by()
            .values_list("pk", "status", "number")
        )
        current_pk = next((pk for pk, st, _n in mine if st == AttemptStatus.IN_PROGRESS), None)
        if current_pk is not None:
            current = Attempt.objects.select_related("exam").get(pk=current_pk)
            if not is_overdue(current, now):
                return current, False
            submit_attempt(current, acting_user=acting_user, auto=True, now=now)
        if not exam.is_active or (exam.opens_at and now < exam.opens_at):
            raise ExamNotOpen(_("This exam is not open yet."))
        if exam.closes_at and now >= exam.closes_at:
            raise ExamNotOpen(_("This exam has closed."))
        used = len(mine)
        if exam.max_attempts and used >= exam.max_attempts:
            raise NoAttemptsLeft(_("You have used all your attempts at this exam."))
        rng = random.SystemRandom()
        questions, options = _draw_questions(exam, rng)
        if not questions:
            raise ExamNotOpen(_("This exam has no questions yet."))
        number = max((n for _pk, _st, n in mine), default=0) + 1
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    exam=exam,
                    user=acting_user,
                    number=number,
                    started_at=now,
                    deadline=compute_deadline(exam, now),
                    points_possible=sum((q.points for q in questions), Decimal("0")),
                )
        except IntegrityError:
            # Another tab won the race: hand back its attempt.
            existing = Attempt.objects.get(
                exam=exam, user=acting_user, status=AttemptStatus.IN_PROGRESS
            )
            return existing, False
        labels = grading.law_labels()
        items = []
        for position, question in enumerate(questions, start=1):
            snapshot = grading.build_snapshot(
                question, options=options.get(question.pk, []), law_labels=labels
            )
            items.append(
                AttemptQuestion(
                    attempt=attempt,
                    question=question,
                    position=position,
                    snapshot=snapshot,
                    option_order=grading.option_order(
                        snapshot, rng if exam.shuffle_options else None
                    ),
                    max_points=question.points,
                    marking_state=MarkingState.NONE,
                )
            )
        AttemptQuestion.objects.bulk_create(items)
        log(
            attempt,
            "assessments.attempt_started",
            user=acting_user,
            data={"exam": exam.code, "number": number, "questions": len(items)},
        )
    return attempt, True


# --- autosave -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedAnswer:
    question_id: int
    seq: int
    saved_at: dt.datetime


def save_answer(
    attempt: Attempt,
    question_id: int,
    answer,
    seq: int,
    *,
    acting_user,
    now: dt.datetime | None = None,
) -> SavedAnswer:
    """Save one answer if ``seq`` is newer than the stored one; refuse stale or late writes.

    Autosaves are not written to the audit log (one row per keystroke burst would drown it);
    the attempt's start and submission are.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One query for the item and its attempt, locking the attempt row (as submit does).
        item = next(
            iter(
                AttemptQuestion.objects.filter(attempt_id=attempt.pk, question_id=question_id)
                .select_related("attempt")
                .select_for_update(of=("attempt",))
                .order_by()[:1]
            ),
            None,
        )
        if item is None:
            locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        else:
            locked = item.attempt
        if locked.user_id != acting_user.pk:
            raise NotInAttempt(_("Attempt not found."))
        if locked.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
        if is_overdue(locked, now):
            raise DeadlinePassed(_("Time is up: answers after the deadline are not recorded."))
        if item is None:
            raise NotInAttempt(_("This question is not part of your attempt."))
        try:
            canonical = grading.validate_answer(item.snapshot, answer)
        except grading.AnswerError as exc:
            raise InvalidAnswer(str(exc)) from exc
        # The seq read with the lock may predate a save committed while this one waited for it;
        # the conditional update decides, and a refusal reports the stored seq as it is now.
        updated = 0
        if seq > item.seq:
            updated = AttemptQuestion.objects.filter(pk=item.pk, seq__lt=seq).update(
                answer=canonical, seq=seq, saved_at=now
            )
        if not updated:
            current_seq, current_answer = (
                AttemptQuestion.objects.filter(pk=item.pk).values_list("seq", "answer").get()
            )
            raise StaleAnswer(
                _("A newer answer to this question is already saved (from another tab or window)."),
                current_seq=current_seq,
                answer=current_answer,
            )
    return SavedAnswer(question_id=item.question_id, seq=seq, saved_at=now)


# --- submit -------------------------------------------------------------------------------


def _after_release(attempt: Attempt) -> None:
    """After commit: tell course completion and listeners about a released result."""
    from .integration import refresh_courses_for

    if attempt.passed:
        exam_passed.send(sender=Attempt, user=attempt.user, exam=attempt.exam, attempt=attempt)
    refresh_courses_for(attempt.user, attempt.exam)


def _release(attempt: Attempt, items: list[AttemptQuestion], now: dt.datetime) -> None:
    awarded = sum((i.points or Decimal("0") for i in items), Decimal("0"))
    possible = sum((i.max_points for i in items), Decimal("0"))
    attempt.points_awarded = awarded
    attempt.points_possible = possible
    attempt.score = (
        (awarded * 100 / possible).quantize(Decimal("0.01")) if possible else Decimal("0")
    )
    attempt.passed = attempt.score >= attempt.exam.pass_mark
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    attempt.save(
        update_fields=[
            "points_awarded",
            "points_possible",
            "score",
            "passed",
            "status",
            "graded_at",
        ]
    )
    released = attempt
    transaction.on_commit(lambda: _after_release(released))


STATISTICS_QUEUED_KEY = "assessments:statistics-queued:{exam_id}"


def statistics_delay() -> int:
    """Seconds a queued statistics recomputation waits, gathering the submissions meanwhile."""
    return settings.ASSESSMENTS_STATISTICS_DELAY


def queue_statistics(exam_id: int) -> bool:
    """Queue one recomputation of the exam's statistics unless one is already waiting.

    On exam day a thousand submissions would otherwise each queue a full recomputation. The
    first submission queues one that runs ``statistics_delay()`` seconds later and covers every
    submission committed until then; the submissions in between queue nothing. The statistics
    page recomputes on the spot when its figures are older than the graded attempts (e.g. with
    no broker, where the task runs at once), so what it shows stays current.
    """
    from .tasks import compute_item_statistics

    delay = statistics_delay()
    key = STATISTICS_QUEUED_KEY.format(exam_id=exam_id)
    if delay > 0 and not cache.add(key, 1, timeout=delay):
        return False
    compute_item_statistics.apply_async((exam_id,), countdown=delay)
    return True


def _schedule_statistics(exam_id: int) -> None:
    """Queue the exam's statistics after commit, once per transaction and exam (debounced)."""
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        if getattr(entry[1], "ga_statistics_exam", None) == exam_id:
            return

    def run() -> None:
        queue_statistics(exam_id)

    run.ga_statistics_exam = exam_id
    # robust: failing to queue must not fail the submission; the page recomputes when stale.
    transaction.on_commit(run, robust=True)


def submit_attempt(
    attempt: Attempt, *, acting_user, auto: bool = False, now: dt.datetime | None = None
) -> Attempt:
    """Submit and score. Idempotent: a second submit (another tab, a retry) returns the result.

    An auto-submission (the overdue task) scores the last answers saved before the deadline.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update().select_related("exam", "user").get(pk=attempt.pk)
        )
        if locked.user_id != acting_user.pk and not auto:
            raise NotInAttempt(_("Attempt not found."))
        submitted_at = now
        if locked.deadline is not None and now > locked.deadline:
            submitted_at = locked.deadline
        # Claim the transition; whoever loses the race sees 0 rows and returns the result.
        claimed = Attempt.objects.filter(pk=locked.pk, status=AttemptStatus.IN_PROGRESS).update(
            status=AttemptStatus.MARKING, submitted_at=submitted_at, auto_submitted=auto
        )
        if not claimed:
            return Attempt.objects.select_related("exam").get(pk=locked.pk)
        locked.status = AttemptStatus.MARKING
        locked.submitted_at = submitted_at
        locked.auto_submitted = auto
        items = list(locked.items.all())
        pending = False
        for item in items:
            if item.snapshot["type"] in OBJECTIVE_TYPES:
                item.points, item.is_correct = grading.score_objective(item.snapshot, item.answer)
                item.marking_state = MarkingState.NONE
            elif item.answer in (None, ""):
                # Nothing to mark: an empty short answer scores zero at once.
                item.points, item.is_correct = Decimal("0.00"), False
                item.marking_state = MarkingState.DONE
            else:
                item.marking_state = MarkingState.PENDING
                pending = True
        AttemptQuestion.objects.bulk_update(items, ["points", "is_correct", "marking_state"])
        if not pending:
            _release(locked, items, now)
        log(
            locked,
            "assessments.attempt_auto_submitted" if auto else "assessments.attempt_submitted",
            user=None if auto else acting_user,
            data={
                "exam": locked.exam.code,
                "number": locked.number,
                "status": locked.status,
                "score": str(locked.score) if locked.score is not None else None,
            },
        )
        _schedule_statistics(locked.exam_id)
    return locked


def submit_overdue_attempts(now: dt.datetime | None = None) -> int:
    """Submit every attempt whose deadline plus grace has passed, from its saved answers."""
    now = now or timezone.now()
    cutoff = now - grace()
    count = 0
    overdue = Attempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, deadline__isnull=False, deadline__lt=cutoff
    ).select_related("user")
    for attempt in overdue.iterator():
        result = submit_attempt(attempt, acting_user=attempt.user, auto=True, now=now)
        count += int(result.auto_submitted)
    return count


# --- marking ------------------------------------------------------------------------------


def _closest_pair_mean(points: list[Decimal]) -> Decimal:
    best = None
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            gap = abs(points[i] - points[j])
            if best is None or gap < best[0]:
                best = (gap, (points[i] + points[j]) / 2)
    return best[1].quantize(Decimal("0.01"))


def record_mark(item: AttemptQuestion, *, levels: dict, comment: str = "", acting_user) -> Mark:
    """Record one marker's rubric judgement; release the result when marking is complete.

    With double marking, two marks within the tolerance are averaged; further apart, the item
    waits for a third marker and the final mark is the mean of the two closest marks.
    """
    now = timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("exam", "user")
            .get(pk=item.attempt_id)
        )
        item = AttemptQuestion.objects.select_for_update().get(pk=item.pk)
        if attempt.user_id == acting_user.pk:
            raise AttemptClosed(_("You cannot mark your own answer."))
        if item.marking_state not in (MarkingState.PENDING, MarkingState.THIRD):
            raise AttemptClosed(_("This answer has already been marked."))
        if item.marks.filter(marker=acting_user).exists():
            raise AttemptClosed(_("You have already marked this answer."))
        try:
            points = grading.rubric_points(item.snapshot, levels)
        except grading.AnswerError as exc:
            raise InvalidAnswer(str(exc)) from exc
        mark = Mark.objects.create(
            item=item, marker=acting_user, levels=levels, points=points, comment=comment[:2000]
        )
        marks = [m.points for m in item.marks.all()]
        exam = attempt.exam
        needed = 2 if exam.double_marking else 1
        final = None
        if len(marks) >= needed:
            if needed == 1:
                final = marks[0]
            elif len(marks) == 2:
                if abs(marks[0] - marks[1]) > exam.double_marking_tolerance:
                    item.marking_state = MarkingState.THIRD
                else:
                    final = ((marks[0] + marks[1]) / 2).quantize(Decimal("0.01"))
            else:
                final = _closest_pair_mean(marks)
        if final is not None:
            item.points = final
            item.is_correct = final >= item.max_points
            item.marking_state = MarkingState.DONE
        item.save(update_fields=["points", "is_correct", "marking_state"])
        log(
            attempt,
            "assessments.answer_marked",
            user=acting_user,
            data={
                "item": item.pk,
                "question": item.snapshot.get("code"),
                "points": str(points),
                "state": item.marking_state,
            },
        )
        if final is not None and attempt.status == AttemptStatus.MARKING:
            items = list(attempt.items.all())
            if all(i.marking_state in (MarkingState.NONE, MarkingState.DONE) for i in items):
                _release(attempt, items, now)
                log(
                    attempt,
                    "assessments.results_released",
                    user=acting_user,
                    data={"exam": exam.code, "score": str(attempt.score)},
                )
                _schedule_statistics(exam.pk)
    return mark


# --- question bank import -----------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str]
    problems: list
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_error


def import_questions(uploaded, *, acting_user) -> ImportReport:
    """Import questions from an XLSX upload: all rows or none; every bad row is reported."""
    from .importing import QuestionFileError, create_question, read_rows, validate_rows

    try:
        rows = read_rows(uploaded)
    except QuestionFileError as exc:
        return ImportReport(created=[], problems=[], file_error=str(exc))
    parsed, problems = validate_rows(rows)
    if problems:
        return ImportReport(created=[], problems=problems)
    if not parsed:
        return ImportReport(created=[], problems=[], file_error=_("The file has no questions."))
    created = []
    with transaction.atomic():
        for item in parsed:
            question = create_question(item)
            question.save_revision(user=acting_user, log_action=False)
            log(
                question,
                "assessments.question_imported",
                user=acting_user,
                data={"code": question.code, "row": item.row},
            )
            created.append(question.code)
    return ImportReport(created=created, problems=[])

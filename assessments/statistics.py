"""Item statistics in the manner of Moodle's quiz statistics report.

- facility index: mean fraction of the item's marks earned (0–1);
- discrimination index: correlation of the item score with the rest of the test (item removed);
- Cronbach's alpha over the items every attempt answered (KR-20 when all are right/wrong items);
- distractor counts: how many attempts chose each option.

Poor items are flagged: facility outside 0.2–0.9, discrimination negative or below 0.1.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import (
    CHOICE_TYPES,
    OBJECTIVE_TYPES,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    ExamStatistics,
    ItemStatistics,
    QuestionType,
)

FACILITY_LOW, FACILITY_HIGH = 0.2, 0.9
DISCRIMINATION_LOW = 0.1

FLAG_LABELS = {
    "too_hard": lambda: _("Too hard (facility below 0.2)"),
    "too_easy": lambda: _("Too easy (facility above 0.9)"),
    "negative_discrimination": lambda: _("Negative discrimination"),
    "low_discrimination": lambda: _("Near-zero discrimination"),
}


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: list[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)


def _corr(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    vx, vy = _var(xs), _var(ys)
    if vx == 0 or vy == 0:
        return None
    mx, my = _mean(xs), _mean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
    return cov / math.sqrt(vx * vy)


def flags_for(facility: float | None, discrimination: float | None, responses: int) -> list[str]:
    flags = []
    if responses < 2 or facility is None:
        return flags
    if facility < FACILITY_LOW:
        flags.append("too_hard")
    elif facility > FACILITY_HIGH:
        flags.append("too_easy")
    if discrimination is not None:
        if discrimination < 0:
            flags.append("negative_discrimination")
        elif discrimination < DISCRIMINATION_LOW:
            flags.append("low_discrimination")
    return flags


STREAM_ORDER = ("-attempt__started_at", "attempt_id", "position")
STREAM_CHUNK = 2000
DISTRACTOR_TYPES = [QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE]


def graded_items(exam: Exam):
    """The attempt questions the statistics are computed from: those of graded attempts."""
    return AttemptQuestion.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.GRADED)


@dataclass
class _Scores:
    """Every graded answer as plain numbers, read in one statement (one consistent view).

    Rows are kept grouped by attempt in compact arrays (about 20 bytes a row, where a model
    instance with its JSON snapshot took kilobytes), so the two-pass formulas below give
    exactly the figures the old row-by-row computation gave.
    """

    questions: dict[int, int] = field(default_factory=dict)  # question id -> index, first seen
    first_item: list[int] = field(default_factory=list)  # per question: pk of its first row
    starts: array = field(default_factory=lambda: array("l", [0]))  # row offsets per attempt
    qindex: array = field(default_factory=lambda: array("I"))
    frac: array = field(default_factory=lambda: array("d"))
    raw: array = field(default_factory=lambda: array("d"))
    totals: array = field(default_factory=lambda: array("d"))
    possible: array = field(default_factory=lambda: array("d"))

    @property
    def attempts(self) -> int:
        return len(self.totals)

    def rows(self, a: int) -> range:
        return range(self.starts[a], self.starts[a + 1])


def _read_scores(exam: Exam) -> _Scores:
    data = _Scores()
    stream = (
        graded_items(exam)
        .order_by(*STREAM_ORDER)
        .values_list("attempt_id", "pk", "question_id", "points", "max_points")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    questions = data.questions
    for _attempt_id, group in groupby(stream, key=itemgetter(0)):
        total = 0
        possible = 0.0
        for _a, pk, question_id, points, max_points in group:
            index = questions.get(question_id)
            if index is None:
                index = questions[question_id] = len(questions)
                data.first_item.append(pk)
            raw = float(points or 0)
            frac = raw / float(max_points) if max_points else 0.0
            data.qindex.append(index)
            data.frac.append(frac)
            data.raw.append(raw)
            total += raw
            possible += float(max_points)
        data.totals.append(total)
        data.possible.append(possible)
        data.starts.append(len(data.raw))
    return data


def _distractors(exam: Exam, snapshots: dict[int, dict]) -> dict[int, dict]:
    """Counts of chosen options per question, counted by the database (one grouped query)."""
    grouped = (
        graded_items(exam)
        .filter(snapshot__type__in=DISTRACTOR_TYPES)
        .values_list("question_id", "snapshot__type", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[int, dict] = {}
    for question_id, qtype, answer, n in grouped:
        counts = out.get(question_id)
        if counts is None:
            snapshot = snapshots.get(question_id)
            if snapshot is None or snapshot["type"] not in DISTRACTOR_TYPES:
                # The question changed type between attempts: its options are those of the
                # first row that had options (what the row-by-row count used).
                snapshot = (
                    graded_items(exam)
                    .filter(question_id=question_id, snapshot__type__in=DISTRACTOR_TYPES)
                    .order_by(*STREAM_ORDER)
                    .values_list("snapshot", flat=True)
                    .first()
                )
            counts = out[question_id] = _empty_counts(snapshot)
        if qtype in CHOICE_TYPES:
            chosen = (
                [] if answer is None else ([answer] if qtype == QuestionType.SINGLE else answer)
            )
            for oid in chosen:
                if oid in counts:
                    counts[oid][2] += n
        elif answer is not None and "true" in counts:
            counts["true" if answer else "false"][2] += n
    return out


def _empty_counts(snapshot: dict) -> dict:
    if snapshot["type"] in CHOICE_TYPES:
        return {o["id"]: [o["text"], o["correct"], 0] for o in snapshot["options"]}
    return {
        "true": [_("True"), snapshot["answer"] is True, 0],
        "false": [_("False"), snapshot["answer"] is False, 0],
    }


def compute_item_statistics(exam: Exam, *, acting_user=None) -> ExamStatistics:
    """Recompute and store the statistics of ``exam`` from its graded attempts. Idempotent.

    Reads plain numbers in one streamed query, the option counts in one grouped query and one
    snapshot per question, never a model instance per answer.
    """
    data = _read_scores(exam)
    qids = list(data.questions)  # first-seen order, as the stored rows always were
    nq, n_attempts = len(qids), data.attempts
    snapshots = dict(
        AttemptQuestion.objects.filter(pk__in=data.first_item).values_list(
            "question_id", "snapshot"
        )
    )
    distractors = _distractors(exam, snapshots)
    # First pass over the numbers: means, and who answered what.
    answered = [0] * nq
    sum_x = [0.0] * nq
    sum_rest = [0.0] * nq
    for a in range(n_attempts):
        total = data.totals[a]
        for r in data.rows(a):
            q = data.qindex[r]
            answered[q] += 1
            sum_x[q] += data.frac[r]
            sum_rest[q] += total - data.raw[r]
    mean_x = [sum_x[q] / answered[q] for q in range(nq)]
    mean_rest = [sum_rest[q] / answered[q] for q in range(nq)]
    # Second pass: variances and covariances about those means.
    var_x = [0.0] * nq
    var_rest = [0.0] * nq
    cov = [0.0] * nq
    for a in range(n_attempts):
        total = data.totals[a]
        for r in data.rows(a):
            q = data.qindex[r]
            dx = data.frac[r] - mean_x[q]
            dy = (total - data.raw[r]) - mean_rest[q]
            var_x[q] += dx**2
            var_rest[q] += dy**2
            cov[q] += dx * dy
    now = timezone.now()
    rows = []
    for q, qid in enumerate(qids):
        n = answered[q]
        facility = mean_x[q]
        discrimination = None
        if n >= 2:
            vx, vy = var_x[q] / n, var_rest[q] / n
            if vx != 0 and vy != 0:
                discrimination = (cov[q] / n) / math.sqrt(vx * vy)
        rows.append(
            ItemStatistics(
                exam=exam,
                question_id=qid,
                responses=n,
                facility=facility,
                discrimination=discrimination,
                distractors=[
                    {"option": text, "correct": correct, "count": count}
                    for text, correct, count in distractors.get(qid, {}).values()
                ],
                flags=flags_for(facility, discrimination, n),
            )
        )
    common = [q for q in range(nq) if answered[q] == n_attempts]
    alpha = None
    method = ""
    if len(common) >= 2 and n_attempts >= 2:
        alpha, method = _alpha(data, common, [snapshots[qids[q]]["type"] for q in common])
    scores = [
        100 * data.totals[a] / data.possible[a] for a in range(n_attempts) if data.possible[a]
    ]
    with transaction.atomic():
        # One recomputation of an exam at a time (a task and the page's button may overlap).
        Exam.objects.select_for_update().filter(pk=exam.pk).values_list("pk").first()
        ItemStatistics.objects.filter(exam=exam).delete()
        ItemStatistics.objects.bulk_create(rows)
        stats, _created = ExamStatistics.objects.update_or_create(
            exam=exam,
            defaults={
                "attempts": n_attempts,
                "mean_score": Decimal(f"{_mean(scores):.2f}") if scores else None,
                "sd_score": Decimal(f"{math.sqrt(_var(scores)):.2f}") if scores else None,
                "alpha": alpha,
                "alpha_method": method,
                "alpha_items": len(common),
                "computed_at": now,
            },
        )
        if acting_user is not None:
            log(exam, "assessments.statistics_computed", user=acting_user, data={"n": len(rows)})
    return stats


def _alpha(data: _Scores, common: list[int], types: list[str]) -> tuple[float | None, str]:
    """Cronbach's alpha (KR-20 for right/wrong items) over the items every attempt answered."""
    position = {q: i for i, q in enumerate(common)}
    k = len(common)

    def common_scores():
        for a in range(data.attempts):
            mine = [0.0] * k
            for r in data.rows(a):
                i = position.get(data.qindex[r])
                if i is not None:
                    mine[i] = data.raw[r]
            yield mine

    item_sums = [0.0] * k
    sums = array("d")
    for mine in common_scores():
        for i in range(k):
            item_sums[i] += mine[i]
        sums.append(sum(mine))
    item_means = [s / data.attempts for s in item_sums]
    item_sq = [0.0] * k
    for mine in common_scores():
        for i in range(k):
            item_sq[i] += (mine[i] - item_means[i]) ** 2
    item_vars = [s / data.attempts for s in item_sq]
    total_var = _var(sums)
    if total_var <= 0:
        return None, ""
    alpha = k / (k - 1) * (1 - sum(item_vars) / total_var)
    method = "KR-20" if all(t in OBJECTIVE_TYPES for t in types) else "alpha"
    return alpha, method


def statistics_are_stale(exam: Exam, summary: ExamStatistics | None) -> bool:
    """Whether graded attempts exist that the stored statistics do not include (one query)."""
    graded = Attempt.objects.filter(exam=exam, status=AttemptStatus.GRADED).aggregate(
        n=Count("pk"), last=Max("graded_at")
    )
    if summary is None:
        return graded["n"] > 0
    return graded["n"] != summary.attempts or (
        graded["last"] is not None and graded["last"] > summary.computed_at
    )


def scatter_svg(rows: list[tuple[int, ItemStatistics]]) -> str:
    """Facility (x) against discrimination (y) as inline SVG: drawn on the server, no CDN.

    The green band is the healthy zone (facility 0.2–0.9, discrimination ≥ 0.1); flagged items
    are red and every point carries its item number.
    """
    width, height, pad = 340, 240, 34
    plot_w, plot_h = width - 2 * pad, height - 2 * pad

    def x(f):
        return pad + plot_w * f

    def y(d):
        return pad + plot_h * (1 - (d + 1) / 2)

    parts = [
        f'<svg class="stats-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(_("Facility and discrimination of each item"))}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="{x(FACILITY_LOW):.1f}" y="{y(1):.1f}" width="{x(FACILITY_HIGH) - x(FACILITY_LOW):.1f}" '
        f'height="{y(DISCRIMINATION_LOW) - y(1):.1f}" fill="#e8f5ec"/>',
        f'<rect x="{pad}" y="{pad}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#9aa5b1"/>',
        f'<line x1="{pad}" y1="{y(0):.1f}" x2="{pad + plot_w}" y2="{y(0):.1f}" stroke="#9aa5b1" '
        'stroke-dasharray="3 3"/>',
    ]
    for tick in (0, 0.5, 1):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - pad + 14}" font-size="10" '
            f'text-anchor="middle">{tick}</text>'
        )
    for tick in (-1, 0, 1):
        parts.append(
            f'<text x="{pad - 6}" y="{y(tick) + 3:.1f}" font-size="10" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text x="{pad + plot_w / 2:.1f}" y="{height - 4}" font-size="11" text-anchor="middle">'
        f"{escape(_('Facility'))}</text>"
    )
    parts.append(
        f'<text x="10" y="{pad + plot_h / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 10 {pad + plot_h / 2:.1f})">{escape(_("Discrimination"))}</text>'
    )
    for number, stat in rows:
        if stat.facility is None:
            continue
        d = stat.discrimination if stat.discrimination is not None else 0.0
        colour = "#b3261e" if stat.flags else "#1e7b45"
        cx, cy = x(stat.facility), y(max(-1.0, min(1.0, d)))
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"/>')
        parts.append(f'<text x="{cx + 5:.1f}" y="{cy - 4:.1f}" font-size="9">{number}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above

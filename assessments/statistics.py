"""Item statistics in the manner of Moodle's quiz statistics report.

- facility index: mean fraction of the item's marks earned (0–1);
- discrimination index: correlation of the item score with the rest of the test (item removed);
- Cronbach's alpha over the items every attempt answered (KR-20 when all are right/wrong items);
- distractor counts: how many attempts chose each option.

Poor items are flagged: facility outside 0.2–0.9, discrimination negative or below 0.1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import (
    CHOICE_TYPES,
    OBJECTIVE_TYPES,
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


def compute_item_statistics(exam: Exam, *, acting_user=None) -> ExamStatistics:
    """Recompute and store the statistics of ``exam`` from its graded attempts. Idempotent."""
    items = list(
        AttemptQuestion.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.GRADED)
        .select_related("question")
        .only(
            "attempt_id",
            "question_id",
            "question__code",
            "snapshot",
            "answer",
            "points",
            "max_points",
        )
    )
    possible: dict[int, float] = defaultdict(float)
    by_attempt: dict[int, dict[int, float]] = defaultdict(dict)
    raw: dict[int, dict[int, float]] = defaultdict(dict)
    snapshots: dict[int, dict] = {}
    distractors: dict[int, dict] = {}
    for it in items:
        frac = float(it.points or 0) / float(it.max_points) if it.max_points else 0.0
        possible[it.attempt_id] += float(it.max_points)
        by_attempt[it.attempt_id][it.question_id] = frac
        raw[it.attempt_id][it.question_id] = float(it.points or 0)
        snapshots.setdefault(it.question_id, it.snapshot)
        qtype = it.snapshot["type"]
        if qtype in CHOICE_TYPES:
            counts = distractors.setdefault(
                it.question_id,
                {o["id"]: [o["text"], o["correct"], 0] for o in it.snapshot["options"]},
            )
            chosen = (
                []
                if it.answer is None
                else ([it.answer] if qtype == QuestionType.SINGLE else it.answer)
            )
            for oid in chosen:
                if oid in counts:
                    counts[oid][2] += 1
        elif qtype == QuestionType.TRUE_FALSE:
            counts = distractors.setdefault(
                it.question_id,
                {
                    "true": [_("True"), it.snapshot["answer"] is True, 0],
                    "false": [_("False"), it.snapshot["answer"] is False, 0],
                },
            )
            if it.answer is not None:
                counts["true" if it.answer else "false"][2] += 1
    attempt_ids = list(by_attempt)
    totals = {a: sum(raw[a].values()) for a in attempt_ids}
    now = timezone.now()
    with transaction.atomic():
        ItemStatistics.objects.filter(exam=exam).delete()
        rows = []
        for qid in snapshots:
            answered = [a for a in attempt_ids if qid in by_attempt[a]]
            xs = [by_attempt[a][qid] for a in answered]
            rest = [totals[a] - raw[a][qid] for a in answered]
            facility = _mean(xs) if xs else None
            discrimination = _corr(xs, rest)
            rows.append(
                ItemStatistics(
                    exam=exam,
                    question_id=qid,
                    responses=len(xs),
                    facility=facility,
                    discrimination=discrimination,
                    distractors=[
                        {"option": text, "correct": correct, "count": count}
                        for text, correct, count in distractors.get(qid, {}).values()
                    ],
                    flags=flags_for(facility, discrimination, len(xs)),
                )
            )
        ItemStatistics.objects.bulk_create(rows)
        common = [qid for qid in snapshots if all(qid in by_attempt[a] for a in attempt_ids)]
        alpha = None
        method = ""
        if len(common) >= 2 and len(attempt_ids) >= 2:
            item_vars = [_var([raw[a][q] for a in attempt_ids]) for q in common]
            total_var = _var([sum(raw[a][q] for q in common) for a in attempt_ids])
            if total_var > 0:
                k = len(common)
                alpha = k / (k - 1) * (1 - sum(item_vars) / total_var)
                dichotomous = all(snapshots[q]["type"] in OBJECTIVE_TYPES for q in common)
                method = "KR-20" if dichotomous else "alpha"
        scores = [100 * totals[a] / possible[a] for a in attempt_ids if possible[a]]
        stats, _created = ExamStatistics.objects.update_or_create(
            exam=exam,
            defaults={
                "attempts": len(attempt_ids),
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

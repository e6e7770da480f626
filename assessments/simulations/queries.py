"""Set-based read points for certification and HR (docs/architecture.md, simulations contract)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from .models import Run, RunStatus


@dataclass(frozen=True)
class SimResult:
    overall: Decimal
    dimensions: dict[str, Decimal]
    passed: bool
    red_line: bool
    date: dt.date


def best_results(user_ids) -> dict[int, dict[str, SimResult]]:
    """``{user_id: {scenario_key: SimResult}}``: per scenario variant, the best passing run, or
    (when none passed) the best-scoring finished run. One query whatever the number of users."""
    runs = (
        Run.objects.filter(user_id__in=list(user_ids), status=RunStatus.FINISHED)
        .order_by("finished_at")
        .values_list(
            "user_id",
            "scenario_key",
            "overall",
            "dimension_scores",
            "passed",
            "red_line",
            "finished_at",
        )
    )
    best: dict[int, dict[str, SimResult]] = {}
    for user_id, key, overall, dims, passed, red_line, finished_at in runs:
        result = SimResult(
            overall=overall,
            dimensions={k: Decimal(v) for k, v in (dims or {}).items()},
            passed=bool(passed),
            red_line=red_line,
            date=finished_at.date(),
        )
        current = best.setdefault(user_id, {}).get(key)
        if current is None or (result.passed, result.overall) > (current.passed, current.overall):
            best[user_id][key] = result
    return best


def red_line_hits(user_ids, since) -> dict[int, int]:
    """``{user_id: number of runs ended by a red line since ``since``}`` (users with hits only)."""
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    rows = (
        Run.objects.filter(
            user_id__in=list(user_ids),
            status=RunStatus.FINISHED,
            red_line=True,
            finished_at__gte=since,
        )
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    return dict(rows)

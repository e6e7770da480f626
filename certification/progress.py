"""A worker's certification picture for one date: what they hold and what they need next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone, translation

from . import rules, sources


@dataclass
class Progress:
    held: list  # Certificate rows valid today
    next_level: rules.LevelSpec | None
    evaluation: rules.LevelEvaluation | None
    renewals: list[tuple[object, rules.LevelEvaluation]]


def next_level_for(levels: list[rules.LevelSpec], facts: rules.Facts, on: dt.date):
    valid = {c.level_code for c in facts.certificates if c.valid_on(on)}
    return _next_level(_ladder(levels), valid)


def _ladder(levels: list[rules.LevelSpec]) -> list[rules.LevelSpec]:
    return sorted((lv for lv in levels if not lv.is_badge), key=lambda lv: lv.rank)


def _next_level(ladder: list[rules.LevelSpec], valid: set[str]) -> rules.LevelSpec | None:
    """The lowest ladder level above the highest valid one, not itself held."""
    top = max((lv.rank for lv in ladder if lv.code in valid), default=-1)
    for level in ladder:
        if level.rank > top and level.code not in valid:
            return level
    return None


def progress_for(worker, certificates, on: dt.date | None = None) -> Progress:
    on = on or timezone.localdate()
    levels = sources.level_specs()
    facts = sources.gather([worker], on, levels)[worker.pk]
    catalogue = sources.catalogue()
    level = next_level_for(levels, facts, on)
    evaluation = rules.evaluate(level, facts, on, catalogue=catalogue) if level else None
    by_code = {lv.code: lv for lv in levels}
    held = [c for c in certificates if c.valid_on(on)]
    renewals = []
    for cert in held:
        spec = by_code.get(cert.level.code)
        if spec is None or not spec.renewable or cert.expires_on is None:
            continue
        if cert.superseded_on is not None:
            continue
        if on >= cert.expires_on - dt.timedelta(days=spec.renewal_window_days):
            purpose = "renew" if spec.for_purpose("renew") else "earn"
            renewals.append(
                (cert, rules.evaluate(spec, facts, on, purpose=purpose, catalogue=catalogue))
            )
    return Progress(held=held, next_level=level, evaluation=evaluation, renewals=renewals)


@dataclass(frozen=True)
class Verdict:
    """One worker's answer in a set-based evaluation."""

    worker_id: int
    held: tuple[str, ...]
    next_level: str
    evaluation: rules.LevelEvaluation | None
    due: tuple[rules.Action, ...]


def evaluate_many(workers, on: dt.date | None = None) -> dict[int, Verdict]:
    """The same answers as :func:`progress_for` for many workers, in a constant number of
    queries (the level snapshot, the catalogue and one call per source).

    Only the verdicts are computed: each evaluation builds its words (progress texts, missing
    items) when they are first read, in the language active now. The next level's evaluation is
    shared with :func:`rules.due_actions`, so no level is evaluated twice for a worker.
    """
    on = on or timezone.localdate()
    workers = list(workers)
    levels = sources.level_specs()
    catalogue = sources.catalogue()
    facts = sources.gather(workers, on, levels)
    ladder = _ladder(levels)
    language = translation.get_language()
    out = {}
    for worker in workers:
        f = facts[worker.pk]
        valid = {c.level_code for c in f.certificates if c.valid_on(on)}
        level = _next_level(ladder, valid)
        memo: dict[tuple[str, str], rules.LevelEvaluation] = {}
        evaluation = None
        if level is not None:
            evaluation = rules.evaluate(
                level, f, on, catalogue=catalogue, explain=False, language=language
            )
            memo[(level.code, "earn")] = evaluation
        out[worker.pk] = Verdict(
            worker_id=worker.pk,
            held=tuple(sorted(valid)),
            next_level=level.code if level else "",
            evaluation=evaluation,
            due=tuple(
                rules.due_actions(levels, f, on, catalogue, evaluations=memo, language=language)
            ),
        )
    return out

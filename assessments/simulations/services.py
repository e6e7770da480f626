"""Writes: start or resume a run, make a choice. The server decides everything a run records."""

from __future__ import annotations

from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import graph
from .models import Run, RunStatus, Scenario, Step
from .signals import run_finished


class SimulationError(Exception):
    """A refusal the learner can read (``str(exc)``)."""


class InvalidChoice(SimulationError):
    """The choice does not belong to the run's current node (HTTP 400)."""


class RunFinished(SimulationError):
    """The run is over and cannot change (HTTP 409)."""


class Conflict(SimulationError):
    """Another request answered this node first (HTTP 409)."""


class ScenarioBroken(SimulationError):
    """The published scenario does not validate; it cannot be played."""


def start_run(scenario: Scenario, *, variant: str | None = None, acting_user) -> tuple[Run, bool]:
    """Resume the learner's open run of this scenario variant, or start one. ``(run, created)``.

    ``scenario`` must be the live version (as loaded from the database). The run keeps a copy of
    the compiled graph, so a later publish cannot change a run in progress.
    """
    spec = scenario.compile()
    if variant in (None, ""):
        variant = graph.default_variant(spec)
    if variant not in graph.variant_keys(spec):
        raise SimulationError(_("This scenario has no variant “%(v)s”.") % {"v": variant})
    existing = Run.objects.filter(
        user=acting_user, scenario=scenario, variant=variant, status=RunStatus.IN_PROGRESS
    ).first()
    if existing is not None:
        return existing, False
    if graph.validate_spec(spec):
        raise ScenarioBroken(_("This scenario is being revised and cannot be played right now."))
    now = timezone.now()
    vgraph = graph.VariantGraph(spec, variant)
    try:
        with transaction.atomic():
            run = Run.objects.create(
                user=acting_user,
                scenario=scenario,
                variant=variant,
                scenario_key=graph.scenario_key(spec, variant),
                spec=spec,
                current_node=vgraph.start,
                node_entered_at=now,
                started_at=now,
            )
            log(run.scenario, "simulations.run_started", user=acting_user, data=_log_data(run))
    except IntegrityError:
        # A concurrent request opened the run first: resume that one.
        return Run.objects.get(
            user=acting_user, scenario=scenario, variant=variant, status=RunStatus.IN_PROGRESS
        ), False
    return run, True


def choose(run: Run, choice_id, *, acting_user) -> Step:
    """Record the learner's choice at the current node and move on (or finish the run).

    Refuses a choice that is not one of the current node's (``InvalidChoice``), a finished run
    (``RunFinished``) and a second answer racing for the same node (``Conflict``).
    """
    with transaction.atomic():
        # The run's graph (``spec``) never changes after the start: reuse the caller's copy
        # instead of decoding it again; everything that does change is read under the lock.
        locked = Run.objects.select_for_update().defer("spec").get(pk=run.pk)
        if locked.user_id != acting_user.pk:
            raise InvalidChoice(_("This run is not yours."))
        if locked.is_finished:
            raise RunFinished(_("This run has finished and cannot be changed."))
        locked.spec = run.spec
        if run.scenario_id == locked.scenario_id and Run.scenario.field.is_cached(run):
            locked.scenario = run.scenario
        vgraph = locked.graph()
        try:
            choice = vgraph.choice(locked.current_node, int(choice_id))
        except (TypeError, ValueError):
            choice = None
        if choice is None:
            raise InvalidChoice(_("That choice is not one of the options at this step."))
        now = timezone.now()
        elapsed = max(0, int((now - locked.node_entered_at).total_seconds()))
        node = vgraph.nodes[locked.current_node]
        late = bool(node.get("time_limit")) and elapsed > node["time_limit"]
        points = None
        if not choice.get("red_line"):
            points = {d: choice["points"].get(d, 0) for d in vgraph.dimensions}
            tim = locked.spec.get("timeliness")
            if late and tim in points:
                points[tim] = min(points[tim], graph.LATE_TIMELINESS_CAP)
        seq = locked.steps.count() + 1
        try:
            # No savepoint: a duplicate (run, seq) aborts the whole choice, which the raise
            # below rolls back.
            step = Step.objects.create(
                run=locked,
                seq=seq,
                node_key=locked.current_node,
                choice_id=choice["id"],
                choice_label=choice["label"],
                points=points,
                red_line=bool(choice.get("red_line")),
                late=late,
                elapsed_seconds=elapsed,
                chosen_at=now,
            )
        except IntegrityError as exc:
            raise Conflict(_("This step was already answered; reload to continue.")) from exc

        if choice.get("red_line"):
            locked.red_line = True
            locked.red_line_code = choice.get("red_line_code", "")
            _finish(locked, now, ending_key="", acting_user=acting_user)
        else:
            kind, key = vgraph.resolve(choice["target"])
            if kind == "end":
                _finish(locked, now, ending_key=key, acting_user=acting_user)
            else:
                locked.current_node = key
                locked.node_entered_at = now
                locked.save(update_fields=["current_node", "node_entered_at"])
        log(
            locked.scenario,
            "simulations.choice_made",
            user=acting_user,
            data={**_log_data(locked), "node": step.node_key, "choice": step.choice_label},
        )
    # The caller's run now holds what was just written (no second read).
    for field in Run._meta.concrete_fields:
        setattr(run, field.attname, getattr(locked, field.attname))
    return step


def _finish(run: Run, now, *, ending_key: str, acting_user) -> None:
    steps = list(run.steps.order_by("seq"))
    vgraph = run.graph()
    score = vgraph.score([(s.node_key, s.points) for s in steps], run.red_line)
    run.status = RunStatus.FINISHED
    run.finished_at = now
    run.ending_key = ending_key
    run.current_node = ""
    run.overall = graph.as_decimal(score.overall)
    run.dimension_scores = {d: str(graph.as_decimal(v)) for d, v in score.dimensions.items()}
    run.passed = score.passed
    run.grade = score.grade
    run.flags = outcome_flags(run.spec, steps, score)
    run.save()
    log(
        run.scenario,
        "simulations.run_finished",
        user=acting_user,
        data={**_log_data(run), "overall": str(run.overall), "passed": run.passed},
    )
    transaction.on_commit(
        lambda: run_finished.send(sender=Run, user=run.user, scenario=run.scenario, run=run)
    )


def outcome_flags(spec: dict, steps: list[Step], score: graph.Score) -> dict:
    """Extra outcome flags a scenario asks for (SIM-02: 12345 响应/解决/满意, domain.md §5(c))."""
    if spec.get("flag_rule") != "hotline":
        return {}
    chosen = {s.node_key: s.choice_label for s in steps}
    responded = chosen.get("N1") in {"A", "D"} and chosen.get("N2") in {"A", "C"}
    if chosen.get("N6") == "A" and chosen.get("N7") == "A":
        resolved = "resolved"
    elif chosen.get("N6") and chosen.get("N6") != "A":
        resolved = "partly"
    else:
        resolved = "unresolved"
    emp = [Fraction(s.points.get("EMP", 0)) for s in steps if s.points is not None]
    mean_emp = sum(emp, Fraction(0)) / len(emp) if emp else Fraction(0)
    if resolved == "resolved" and mean_emp >= Fraction(5, 2):
        satisfied = "satisfied"
    elif resolved == "resolved" and mean_emp >= Fraction(3, 2):
        satisfied = "basically"
    else:
        satisfied = "unsatisfied"
    return {"responded": responded, "resolved": resolved, "satisfied": satisfied}


def _log_data(run: Run) -> dict:
    return {"run": run.pk, "scenario_key": run.scenario_key, "learner": run.user_id}

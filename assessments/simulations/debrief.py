"""What a learner sees of a run: the current step while playing, the debrief when it is over."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import graph
from .models import Grade, Run

FLAG_LABELS = {
    "resolved": _("resolved"),
    "partly": _("partly resolved / promised"),
    "unresolved": _("not resolved"),
    "satisfied": _("satisfied"),
    "basically": _("basically satisfied"),
    "unsatisfied": _("not satisfied"),
}


def variant_name(spec: dict, variant: str) -> str:
    for v in spec["variants"]:
        if v["key"] == variant:
            return v["name"]
    return ""


def current_step(run: Run, *, steps_taken: int | None = None) -> dict:
    """The node to decide on, without scores, targets or red-line flags.

    ``steps_taken``: the number of steps when the caller knows it (the seq just written).
    """
    vgraph = run.graph()
    data = {
        "id": run.pk,
        "scenario": {"id": run.scenario_id, "code": run.spec["code"], "title": run.spec["title"]},
        "variant": run.variant,
        "variant_name": variant_name(run.spec, run.variant),
        "setup": run.spec["setup"],
        "status": run.status,
        "started_at": run.started_at,
        "steps_taken": run.steps.count() if steps_taken is None else steps_taken,
        "node": None,
    }
    if not run.is_finished and run.current_node:
        node = vgraph.nodes[run.current_node]
        data["node"] = {
            "key": node["key"],
            "title": node["title"],
            "situation": node["situation"],
            "image_id": node["image_id"],
            "time_limit_seconds": node["time_limit"],
            "entered_at": run.node_entered_at,
            "choices": [
                {"id": c["id"], "label": c["label"], "text": c["text"]}
                for c in vgraph.choices[node["key"]]
            ],
        }
    return data


def debrief(run: Run) -> dict:
    """Scores, the path taken beside the best path, feedback and legal basis per choice."""
    spec = run.spec
    vgraph = run.graph()
    steps = []
    red = None
    for step in run.steps.order_by("seq"):
        choice = vgraph.choice(step.node_key, step.choice_id) or {}
        node = vgraph.nodes.get(step.node_key, {})
        item = {
            "seq": step.seq,
            "node": step.node_key,
            "node_title": node.get("title", ""),
            "choice": step.choice_id,
            "label": step.choice_label,
            "text": choice.get("text", ""),
            "points": step.points,
            "max_points": vgraph.node_max(step.node_key),
            "feedback": choice.get("feedback", ""),
            "legal_basis": choice.get("legal_basis", ""),
            "red_line": step.red_line,
            "late": step.late,
            "elapsed_seconds": step.elapsed_seconds,
            "chosen_at": step.chosen_at,
        }
        if step.red_line:
            red = {
                "code": choice.get("red_line_code", ""),
                "rule": choice.get("red_line_explanation", ""),
                "legal_basis": choice.get("legal_basis", ""),
                "choice": choice.get("text", ""),
            }
        steps.append(item)
    best = vgraph.best_path()
    best_steps = []
    if best:
        for c in best[0].steps:
            best_steps.append(
                {
                    "node": c["node"],
                    "node_title": vgraph.nodes[c["node"]]["title"],
                    "label": c["label"],
                    "text": c["text"],
                }
            )
    dims = []
    for d in spec["dimensions"]:
        dims.append(
            {
                "key": d["key"],
                "name": d["name"],
                "weight": d["weight"],
                "minimum": d["minimum"],
                "score": run.dimension_scores.get(d["key"]),
            }
        )
    ending = vgraph.endings.get(run.ending_key) if run.ending_key else None
    flags = None
    if run.flags:
        flags = {
            "responded": run.flags.get("responded"),
            "resolved": run.flags.get("resolved"),
            "resolved_label": str(FLAG_LABELS.get(run.flags.get("resolved"), "")),
            "satisfied": run.flags.get("satisfied"),
            "satisfied_label": str(FLAG_LABELS.get(run.flags.get("satisfied"), "")),
        }
    return {
        "id": run.pk,
        "scenario": {"id": run.scenario_id, "code": spec["code"], "title": spec["title"]},
        "scenario_key": run.scenario_key,
        "variant": run.variant,
        "variant_name": variant_name(spec, run.variant),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "overall": run.overall,
        "pass_mark": spec["pass_mark"],
        "passed": bool(run.passed),
        "grade": run.grade,
        "grade_label": str(Grade(run.grade).label) if run.grade else "",
        "red_line": run.red_line,
        "red_line_rule": red,
        "ending": {"key": run.ending_key, "title": ending["title"], "outcome": ending["outcome"]}
        if ending
        else None,
        "dimensions": dims,
        "flags": flags,
        "steps": steps,
        "best_path": best_steps,
        "best_overall": graph.as_decimal(best[1].overall) if best else None,
    }

"""Path analytics for trainers over the finished runs they may see (their jurisdiction).

High and low scorers: the finished runs of a variant sorted by overall score, split at the
median (upper half vs lower half; with an odd count the middle run counts as neither).
Org units: each learner's run is counted under their community (社区), or the unit itself when
it sits above community level.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from people.models import OrgUnit

from . import graph
from .access import runs_visible_to
from .models import Run, Scenario, Step

COMMUNITY_DEPTH = 4


def finished_runs(user, scenario: Scenario, variant: str | None = None):
    qs = runs_visible_to(user).filter(scenario=scenario, status="finished")
    if variant is not None:
        qs = qs.filter(variant=variant)
    return qs


def scenario_analytics(user, scenario: Scenario, variant: str) -> dict:
    runs = list(
        finished_runs(user, scenario, variant)
        .select_related("user__worker__org_unit")
        .order_by("overall", "pk")
    )
    spec = scenario.compile()
    vgraph = graph.VariantGraph(spec, variant)
    run_ids = [r.pk for r in runs]
    steps = list(Step.objects.filter(run_id__in=run_ids).values_list("run_id", "choice_id"))
    half = len(runs) // 2
    low = {r.pk for r in runs[:half]}
    high = {r.pk for r in runs[len(runs) - half :]} if half else set()

    chosen = Counter(choice_id for _run, choice_id in steps)
    chosen_high = Counter(c for r, c in steps if r in high)
    chosen_low = Counter(c for r, c in steps if r in low)
    nodes = []
    for key, node in vgraph.nodes.items():
        choices = vgraph.choices[key]
        total = sum(chosen[c["id"]] for c in choices)
        rows = []
        for c in choices:
            n = chosen[c["id"]]
            rows.append(
                {
                    "id": c["id"],
                    "label": c["label"],
                    "text": c["text"],
                    "red_line": c.get("red_line", False),
                    "count": n,
                    "share": round(100 * n / total) if total else 0,
                    "high": chosen_high[c["id"]],
                    "low": chosen_low[c["id"]],
                }
            )
        nodes.append({"key": key, "title": node["title"], "total": total, "choices": rows})

    red_counts = Counter(r.red_line_code for r in runs if r.red_line)
    red_text = {
        c.get("red_line_code"): c.get("red_line_explanation", "")
        for c in spec["choices"]
        if c.get("red_line")
    }
    red_lines = [
        {"code": code, "rule": red_text.get(code, ""), "count": n}
        for code, n in red_counts.most_common()
    ]
    return {
        "runs": len(runs),
        "passed": sum(1 for r in runs if r.passed),
        "high_count": len(high),
        "low_count": len(low),
        "nodes": nodes,
        "red_lines": red_lines,
        "by_unit": means_by_unit(runs, [d["key"] for d in spec["dimensions"]]),
        "dimensions": spec["dimensions"],
    }


def _community_of(unit: OrgUnit | None, units_by_path: dict[str, OrgUnit]) -> OrgUnit | None:
    if unit is None:
        return None
    if unit.depth <= COMMUNITY_DEPTH:
        return unit
    return units_by_path.get(unit.path[: OrgUnit.steplen * COMMUNITY_DEPTH], unit)


def means_by_unit(runs: list[Run], dim_keys: list[str]) -> list[dict]:
    workers = {r.pk: getattr(r.user, "worker", None) for r in runs}
    prefixes = {
        w.org_unit.path[: OrgUnit.steplen * COMMUNITY_DEPTH]
        for w in workers.values()
        if w is not None and w.org_unit.depth > COMMUNITY_DEPTH
    }
    units_by_path = {u.path: u for u in OrgUnit.objects.filter(path__in=prefixes)}
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: Counter = Counter()
    names: dict[int, str] = {}
    for run in runs:
        worker = workers[run.pk]
        unit = _community_of(worker.org_unit if worker else None, units_by_path)
        if unit is None:
            continue
        names[unit.pk] = unit.full_name
        counts[unit.pk] += 1
        sums[unit.pk]["overall"] += run.overall or 0
        for d in dim_keys:
            sums[unit.pk][d] += Decimal(run.dimension_scores.get(d, "0"))
    rows = []
    for unit_id, n in counts.items():
        rows.append(
            {
                "unit": names[unit_id],
                "runs": n,
                "overall": (sums[unit_id]["overall"] / n).quantize(Decimal("0.1")),
                "dimensions": [(sums[unit_id][d] / n).quantize(Decimal("0.1")) for d in dim_keys],
            }
        )
    return sorted(rows, key=lambda r: r["unit"])


def export_rows(user, scenario: Scenario) -> tuple[list[str], list[list]]:
    """One row per finished run (for CSV/XLSX), with per-dimension scores."""
    from django.utils.translation import gettext as _

    spec = scenario.compile()
    dim_keys = [d["key"] for d in spec["dimensions"]]
    header = [
        _("Scenario"),
        _("Learner"),
        _("Employee number"),
        _("Org unit"),
        _("Finished at"),
        _("Overall"),
        *[f"{d['name']} ({d['key']})" for d in spec["dimensions"]],
        _("Passed"),
        _("Grade"),
        _("Red line"),
        _("Path"),
    ]
    runs = (
        finished_runs(user, scenario)
        .select_related("user__worker__org_unit")
        .prefetch_related("steps")
        .order_by("finished_at", "pk")
    )
    rows = []
    for run in runs:
        worker = getattr(run.user, "worker", None)
        rows.append(
            [
                run.scenario_key,
                str(run.user),
                worker.employee_no if worker else "",
                worker.org_unit.full_name if worker else "",
                run.finished_at.strftime("%Y-%m-%d %H:%M"),
                float(run.overall or 0),
                *[float(run.dimension_scores.get(d, 0)) for d in dim_keys],
                _("yes") if run.passed else _("no"),
                run.get_grade_display(),
                run.red_line_code,
                " ".join(f"{s.node_key}{s.choice_label}" for s in run.steps.all()),
            ]
        )
    return header, rows

"""Learner pages (play on a phone, debrief) and the trainer's admin pages (graph, analytics)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.images import get_image_model

from . import graph, svg
from .access import (
    can_analyse,
    get_run_for,
    get_scenario_for_analysis,
    get_scenario_for_play,
    scenarios_open_to,
)
from .analytics import export_rows, scenario_analytics
from .debrief import current_step, debrief
from .models import Run, RunStatus, Scenario
from .services import RunFinished, SimulationError, choose, start_run


def scenario_cards(user) -> list[dict]:
    """The scenarios open to ``user``, each variant with the best result and any open run."""
    scenarios = list(scenarios_open_to(user))
    runs = Run.objects.filter(user=user, scenario__in=scenarios).only(
        "id", "scenario_id", "variant", "status", "overall", "passed", "grade", "red_line"
    )
    best: dict[tuple[int, str], Run] = {}
    open_runs: dict[tuple[int, str], Run] = {}
    for run in runs:
        key = (run.scenario_id, run.variant)
        if run.status == RunStatus.IN_PROGRESS:
            open_runs[key] = run
        elif key not in best or (bool(run.passed), run.overall) > (
            bool(best[key].passed),
            best[key].overall,
        ):
            best[key] = run
    cards = []
    for scenario in scenarios:
        variants = list(scenario.variants.all()) or [None]
        items = []
        for v in variants:
            vkey = v.key if v else ""
            items.append(
                {
                    "key": vkey,
                    "name": v.name if v else "",
                    "best": best.get((scenario.pk, vkey)),
                    "open_run": open_runs.get((scenario.pk, vkey)),
                }
            )
        cards.append({"scenario": scenario, "variants": items})
    return cards


@login_required
def scenario_list(request):
    return render(
        request,
        "simulations/scenario_list.html",
        {"cards": scenario_cards(request.user)},
    )


@login_required
@require_POST
def start(request, pk: int):
    scenario = get_scenario_for_play(request.user, pk)
    try:
        run, _created = start_run(
            scenario, variant=request.POST.get("variant") or None, acting_user=request.user
        )
    except SimulationError as exc:
        messages.error(request, str(exc))
        return redirect("simulations:list")
    return redirect("simulations:play", pk=run.pk)


@login_required
def play(request, pk: int):
    run = get_run_for(request.user, pk)
    if run.is_finished:
        return redirect("simulations:result", pk=run.pk)
    step = current_step(run)
    image = None
    if step["node"] and step["node"]["image_id"]:
        image = get_image_model().objects.filter(pk=step["node"]["image_id"]).first()
    return render(request, "simulations/play.html", {"run": run, "step": step, "image": image})


@login_required
@require_POST
def choose_view(request, pk: int):
    run = get_run_for(request.user, pk)
    try:
        choose(run, request.POST.get("choice"), acting_user=request.user)
    except RunFinished:
        return redirect("simulations:result", pk=run.pk)
    except SimulationError as exc:
        messages.error(request, str(exc))
        return redirect("simulations:play", pk=run.pk)
    run.refresh_from_db()
    if run.is_finished:
        return redirect("simulations:result", pk=run.pk)
    return redirect("simulations:play", pk=run.pk)


@login_required
def result(request, pk: int):
    run = get_run_for(request.user, pk)
    if not run.is_finished:
        return redirect("simulations:play", pk=run.pk)
    data = debrief(run)
    chart = svg.dimension_chart(
        [
            {
                "name": d["name"],
                "score": d["score"] or 0,
                "minimum": d["minimum"],
            }
            for d in data["dimensions"]
        ]
    )
    return render(request, "simulations/result.html", {"run": run, "debrief": data, "chart": chart})


# --- admin pages (registered through wagtail_hooks) ------------------------------------------


def _can_author(user) -> bool:
    return user.has_perm("simulations.change_scenario") or user.has_perm(
        "simulations.view_scenario"
    )


def graph_view(request, pk: int):
    if not _can_author(request.user):
        raise PermissionDenied
    try:
        scenario = Scenario.objects.get(pk=int(pk))
    except (Scenario.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    # Draw what the author last saved (the latest revision), not only what is live.
    latest = scenario.get_latest_revision_as_object() if scenario.latest_revision_id else scenario
    spec = latest.compile()
    errors = graph.validate_spec(spec)
    variants = graph.variant_keys(spec)
    variant = request.GET.get("variant", variants[0])
    if variant not in variants:
        variant = variants[0]
    vgraph = graph.VariantGraph(spec, variant)
    drawing = None
    best = None
    attainable = None
    if not errors:
        drawing = svg.scenario_graph(vgraph)
        found = vgraph.best_path()
        if found:
            best = {
                "steps": [f"{c['node']}{c['label']}" for c in found[0].steps],
                "ending": found[0].ending,
                "overall": graph.as_decimal(found[1].overall),
            }
        attainable = [(d, graph.as_decimal(v, 1)) for d, v in vgraph.max_attainable().items()]
    return render(
        request,
        "simulations/admin/graph.html",
        {
            "scenario": scenario,
            "spec": spec,
            "errors": errors,
            "variants": spec["variants"],
            "variant": variant,
            "drawing": drawing,
            "best": best,
            "attainable": attainable,
            "node_max": [
                (key, [vgraph.node_max(key)[d] for d in vgraph.dimensions]) for key in vgraph.nodes
            ]
            if not errors
            else [],
            "dimensions": vgraph.dimensions,
        },
    )


def analytics_view(request, pk: int):
    if not can_analyse(request.user):
        raise PermissionDenied
    scenario = get_scenario_for_analysis(request.user, pk)
    spec = scenario.compile()
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(request.user, scenario, export)
    variants = graph.variant_keys(spec)
    variant = request.GET.get("variant", variants[0])
    if variant not in variants:
        variant = variants[0]
    return render(
        request,
        "simulations/admin/analytics.html",
        {
            "scenario": scenario,
            "variants": spec["variants"],
            "variant": variant,
            "data": scenario_analytics(request.user, scenario, variant),
        },
    )


def _export(user, scenario: Scenario, fmt: str) -> HttpResponse:
    header, rows = export_rows(user, scenario)
    filename = f"{scenario.code}-runs.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly with a BOM
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = scenario.code
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def analytics_index(request):
    if not can_analyse(request.user):
        raise PermissionDenied
    return render(
        request,
        "simulations/admin/analytics_index.html",
        {"scenarios": Scenario.objects.order_by("code"), "title": _("Simulation analytics")},
    )

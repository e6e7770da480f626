"""Server-drawn SVG: the scenario graph (admin) and the per-dimension chart (debrief).

Drawn here so nothing depends on an external service, a CDN or browser-side scripts.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .graph import VariantGraph

BOX_W, BOX_H = 150, 58
COL_W, ROW_H = 215, 130
PAD = 20


def _text(x, y, text, *, size=12, anchor="middle", weight="normal", fill="#1f2933") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scenario_graph(vgraph: VariantGraph) -> SafeString:
    """Nodes as boxes in columns by depth, endings on the right, red lines as red stubs.

    The best path (highest overall score without a red line) is drawn thick and green.
    """
    depths = vgraph.depths()
    max_depth = max(depths.values(), default=0)
    columns: dict[int, list[str]] = {}
    for key in vgraph.nodes:
        columns.setdefault(depths.get(key, max_depth + 1), []).append(key)
    end_col = max(columns, default=0) + 1
    pos: dict[str, tuple[float, float]] = {}
    for col, keys in columns.items():
        for row, key in enumerate(keys):
            pos[key] = (PAD + col * COL_W, PAD + 20 + row * ROW_H)
    for row, key in enumerate(vgraph.endings):
        pos["end:" + key] = (PAD + end_col * COL_W, PAD + 20 + row * ROW_H)
    best = vgraph.best_path()
    best_ids = {c["id"] for c in best[0].steps} if best else set()

    edges: dict[tuple[str, str], list[dict]] = {}
    red: dict[str, list[dict]] = {}
    for key in vgraph.nodes:
        for choice in vgraph.choices[key]:
            if choice.get("red_line"):
                red.setdefault(key, []).append(choice)
                continue
            where = vgraph.resolve(choice["target"])
            if where is None:
                continue
            target = where[1] if where[0] == "node" else "end:" + where[1]
            edges.setdefault((key, target), []).append(choice)

    parts: list[str] = []
    for (source, target), choices in edges.items():
        x1, y1 = pos[source]
        x2, y2 = pos[target]
        on_best = any(c["id"] in best_ids for c in choices)
        sx, sy = x1 + BOX_W, y1 + BOX_H / 2
        tx, ty = x2, y2 + BOX_H / 2
        if x2 > x1 + COL_W:  # skips a column: arc above the boxes in between
            lane = min(y1, y2) - 16
            d = f"M{sx:.0f},{sy:.0f} C{sx + 60:.0f},{lane:.0f} {tx - 60:.0f},{lane:.0f} {tx:.0f},{ty:.0f}"
        elif x2 <= x1:  # a step back in the drawing: route below the boxes
            mid_y = max(y1, y2) + BOX_H + 30
            d = f"M{sx:.0f},{sy:.0f} C{sx + 40:.0f},{mid_y:.0f} {tx - 40:.0f},{mid_y:.0f} {tx:.0f},{ty:.0f}"
        else:
            d = f"M{sx:.0f},{sy:.0f} C{sx + 40:.0f},{sy:.0f} {tx - 40:.0f},{ty:.0f} {tx:.0f},{ty:.0f}"
        css = "edge best" if on_best else "edge"
        stroke = "#1a7f37" if on_best else "#7b8794"
        width = 4 if on_best else 1.5
        parts.append(
            f'<path class="{css}" d="{d}" fill="none" stroke="{stroke}" '
            f'stroke-width="{width}" marker-end="url(#arrow)"/>'
        )
        label = "/".join(c["label"] + ("★" if c["id"] in best_ids else "") for c in choices)
        label_y = min(y1, y2) - 2 if x2 > x1 + COL_W else (sy + ty) / 2 - 6
        parts.append(_text((sx + tx) / 2, label_y, label, size=11, weight="bold", fill=stroke))

    for key, node in vgraph.nodes.items():
        x, y = pos[key]
        is_start = key == vgraph.start
        on_best = best is not None and any(c["node"] == key for c in best[0].steps)
        stroke = "#1a7f37" if on_best else "#3e4c59"
        parts.append(
            f'<rect class="node" x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{"#e3f2e8" if is_start else "#ffffff"}" stroke="{stroke}" '
            f'stroke-width="{2.5 if on_best else 1.2}"/>'
        )
        parts.append(_text(x + BOX_W / 2, y + 20, key, weight="bold"))
        parts.append(_text(x + BOX_W / 2, y + 38, _short(node["title"], 11), size=11))
        maxima = vgraph.node_max(key)
        parts.append(
            _text(
                x + BOX_W / 2,
                y + 52,
                "max " + " ".join(str(maxima[d]) for d in vgraph.dimensions),
                size=9,
                fill="#616e7c",
            )
        )
        for i, choice in enumerate(red.get(key, [])):
            rx = x + i * 50
            ry = y + BOX_H + 22
            parts.append(
                f'<line class="edge red-line" x1="{rx + 20}" y1="{y + BOX_H}" x2="{rx + 20}" '
                f'y2="{ry}" stroke="#c62828" stroke-width="2" stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<rect class="red-line" x="{rx}" y="{ry}" width="44" height="22" rx="4" '
                f'fill="#fdecea" stroke="#c62828"/>'
            )
            code = choice.get("red_line_code") or "✖"
            parts.append(
                _text(rx + 22, ry + 15, f"{choice['label']} {code}", size=10, fill="#c62828")
            )

    for key, ending in vgraph.endings.items():
        x, y = pos["end:" + key]
        on_best = best is not None and best[0].ending == key
        parts.append(
            f'<rect class="ending" x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="26" '
            f'fill="#eef1f5" stroke="{"#1a7f37" if on_best else "#3e4c59"}" '
            f'stroke-width="{2.5 if on_best else 1.2}"/>'
        )
        parts.append(_text(x + BOX_W / 2, y + 24, key, weight="bold"))
        parts.append(_text(x + BOX_W / 2, y + 42, _short(ending["title"], 11), size=11))

    rows = max([len(v) for v in columns.values()] + [len(vgraph.endings), 1])
    width = PAD * 2 + (end_col + 1) * COL_W
    height = PAD * 2 + 20 + rows * ROW_H + 20
    title = _("Scenario graph")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sim-graph" role="img" '
        f'aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#7b8794"/></marker></defs>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped


def dimension_chart(rows: list[dict]) -> SafeString:
    """Horizontal bars: ``rows`` of ``{"key", "name", "score", "minimum", "best"}`` (0–100)."""
    label_w, bar_w, row_h = 92, 220, 34
    width = label_w + bar_w + 56
    height = row_h * len(rows) + 10
    parts = []
    for i, row in enumerate(rows):
        y = 5 + i * row_h
        score = float(row["score"])
        ok = score >= float(row["minimum"])
        parts.append(_text(label_w - 6, y + 18, row["name"], size=13, anchor="end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="18" fill="#eef1f5" rx="3"/>'
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 5}" width="{bar_w * score / 100:.1f}" '
            f'height="18" fill="{"#1a7f37" if ok else "#c62828"}" rx="3"/>'
        )
        mx = label_w + bar_w * float(row["minimum"]) / 100
        parts.append(
            f'<line x1="{mx:.1f}" y1="{y + 1}" x2="{mx:.1f}" y2="{y + 27}" stroke="#1f2933" '
            f'stroke-dasharray="3 2"/>'
        )
        parts.append(_text(label_w + bar_w + 6, y + 19, f"{score:.1f}", size=13, anchor="start"))
    title = _("Score per dimension (dashed line: minimum)")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sim-chart" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        f'font-family="sans-serif">' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped

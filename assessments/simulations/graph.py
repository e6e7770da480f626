"""The scenario graph as plain data: validation, path enumeration and scoring (domain.md §5(c)).

A *spec* is a JSON-serialisable dict compiled from a scenario (see ``compile_scenario``). A run
keeps the spec it started with, so publishing a new revision never changes a run in progress, and
scoring a run needs nothing but the run itself.

Scoring: each choice awards 0–3 points per dimension; ``max_d(node)`` is the highest any choice
of the node awards on ``d``. ``score_d = 100 × Σ points_d / Σ max_d`` over the visited nodes,
``overall = Σ w_d × score_d``. Pass: no red line, overall ≥ pass mark, every dimension ≥ its
minimum. Grades: ≥ 85 优秀, passed 合格, otherwise 不合格.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

DEFAULT_DIMENSIONS = [
    # key, Chinese name (domain vocabulary, shown as written), default weight, minimum
    ("LEG", "依法依规", Decimal("0.20"), 50),
    ("EMP", "情理沟通", Decimal("0.20"), 50),
    ("PRO", "程序规范", Decimal("0.20"), 50),
    ("TIM", "时效", Decimal("0.20"), 50),
    ("SAF", "安全", Decimal("0.20"), 50),
]
EXCELLENT_MARK = 85
MAX_POINTS = 3
# Late decisions (past a node's time limit) score at most this on the timeliness dimension.
LATE_TIMELINESS_CAP = 1
# Path enumeration guard: scenarios are small; a graph with more paths than this is refused.
MAX_PATHS = 200_000

GRADE_EXCELLENT = "excellent"
GRADE_PASS = "pass"
GRADE_FAIL = "fail"

_POINT_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*[=:：]?\s*(-?\d+)")


def parse_points(text: str) -> dict[str, int]:
    """``"LEG 3, EMP 2"`` → ``{"LEG": 3, "EMP": 2}``. Raises ValueError on anything else."""
    text = (text or "").strip()
    if not text:
        return {}
    points: dict[str, int] = {}
    rest = _POINT_RE.sub("", text)
    if rest.strip(" ,，;；·/\t\n"):
        raise ValueError(text)
    for key, value in _POINT_RE.findall(text):
        points[key.upper()] = int(value)
    return points


def format_points(points: dict[str, int], order: list[str]) -> str:
    return " ".join(f"{k} {points[k]}" for k in order if k in points)


@dataclass
class Path:
    steps: list[dict]  # choice dicts, in order
    ending: str | None  # ending key, or None for a red line
    red_line: bool


@dataclass
class Score:
    dimensions: dict[str, Fraction]
    overall: Fraction
    passed: bool
    red_line: bool
    grade: str
    failed_minimums: list[str] = field(default_factory=list)


class VariantGraph:
    """The graph one variant of a scenario plays: its nodes, choices and endings."""

    def __init__(self, spec: dict, variant: str = ""):
        self.spec = spec
        self.variant = variant
        self.dimensions = [d["key"] for d in spec["dimensions"]]
        self.nodes: dict[str, dict] = {}
        self.substitute: dict[str, str] = {}
        for node in spec["nodes"]:
            if node.get("variant") and node["variant"] != variant:
                continue
            self.nodes.setdefault(node["key"], node)
            if node.get("replaces"):
                self.substitute[node["replaces"]] = node["key"]
        for replaced in self.substitute:
            if replaced in self.nodes and self.substitute[replaced] != replaced:
                del self.nodes[replaced]
        self.endings = {e["key"]: e for e in spec["endings"]}
        self.choices: dict[str, list[dict]] = {key: [] for key in self.nodes}
        for choice in spec["choices"]:
            if choice["node"] in self.choices:
                self.choices[choice["node"]].append(choice)
        self.start = next(iter(self.nodes), None)

    def resolve(self, target: str) -> tuple[str, str] | None:
        """``("node", key)`` / ``("end", key)`` for a choice target, or None if it is missing."""
        if not target:
            return None
        target = self.substitute.get(target, target)
        if target in self.nodes:
            return ("node", target)
        if target in self.endings:
            return ("end", target)
        return None

    def choice(self, node_key: str, choice_id) -> dict | None:
        for choice in self.choices.get(node_key, []):
            if str(choice["id"]) == str(choice_id):
                return choice
        return None

    def node_max(self, node_key: str) -> dict[str, int]:
        """``max_d(node)`` for every dimension."""
        best = dict.fromkeys(self.dimensions, 0)
        for choice in self.choices.get(node_key, []):
            for key, value in choice["points"].items():
                if key in best and value > best[key]:
                    best[key] = value
        return best

    def paths(self, limit: int = MAX_PATHS) -> list[Path]:
        """Every way through the graph, as choice sequences (assumes a validated acyclic graph)."""
        found: list[Path] = []
        if self.start is None:
            return found

        def walk(node_key: str, trail: list[dict], seen: frozenset):
            for choice in self.choices.get(node_key, []):
                if len(found) >= limit:
                    return
                step = [*trail, choice]
                if choice.get("red_line"):
                    found.append(Path(step, None, True))
                    continue
                where = self.resolve(choice.get("target", ""))
                if where is None:
                    continue
                kind, key = where
                if kind == "end":
                    found.append(Path(step, key, False))
                elif key not in seen:
                    walk(key, step, seen | {key})

        walk(self.start, [], frozenset({self.start}))
        return found

    def score(self, steps: list[tuple[str, dict]], red_line: bool) -> Score:
        """Score visited ``(node_key, awarded_points)`` pairs; red-line steps carry no points."""
        earned = dict.fromkeys(self.dimensions, 0)
        possible = dict.fromkeys(self.dimensions, 0)
        for node_key, points in steps:
            if points is None:
                continue
            maxima = self.node_max(node_key)
            for d in self.dimensions:
                earned[d] += points.get(d, 0)
                possible[d] += maxima[d]
        scored = any(points is not None for _node, points in steps)
        # A dimension no visited node can score on is full marks; a run ended by a red line
        # before any scored step has nothing to show (0).
        full = Fraction(100) if scored else Fraction(0)
        dims = {
            d: (Fraction(100 * earned[d], possible[d]) if possible[d] else full)
            for d in self.dimensions
        }
        weights = {d["key"]: Fraction(str(d["weight"])) for d in self.spec["dimensions"]}
        overall = sum((weights[d] * dims[d] for d in self.dimensions), Fraction(0))
        minimums = {d["key"]: d["minimum"] for d in self.spec["dimensions"]}
        failed = [d for d in self.dimensions if dims[d] < minimums[d]]
        passed = not red_line and overall >= self.spec["pass_mark"] and not failed
        if not passed:
            grade = GRADE_FAIL
        elif overall >= EXCELLENT_MARK:
            grade = GRADE_EXCELLENT
        else:
            grade = GRADE_PASS
        return Score(dims, overall, passed, red_line, grade, failed)

    def score_path(self, path: Path) -> Score:
        pairs = [(c["node"], None if c.get("red_line") else c["points"]) for c in path.steps]
        return self.score(pairs, path.red_line)

    def best_path(self) -> tuple[Path, Score] | None:
        best = None
        for path in self.paths():
            if path.red_line:
                continue
            score = self.score_path(path)
            key = (score.passed, score.overall, -len(path.steps))
            if best is None or key > best[0]:
                best = (key, path, score)
        return (best[1], best[2]) if best else None

    def max_attainable(self) -> dict[str, Fraction]:
        """The highest score each dimension can reach on any path without a red line."""
        result = dict.fromkeys(self.dimensions, Fraction(0))
        for path in self.paths():
            if path.red_line:
                continue
            score = self.score_path(path)
            for d, value in score.dimensions.items():
                result[d] = max(result[d], value)
        return result

    def depths(self) -> dict[str, int]:
        """Longest distance from the start of every reachable node (for drawing)."""
        depth: dict[str, int] = {}
        if self.start is None:
            return depth
        order = self._topological()
        depth[self.start] = 0
        for key in order:
            if key not in depth:
                continue
            for choice in self.choices.get(key, []):
                where = self.resolve(choice.get("target", ""))
                if where and where[0] == "node":
                    depth[where[1]] = max(depth.get(where[1], 0), depth[key] + 1)
        return depth

    def _topological(self) -> list[str]:
        incoming = dict.fromkeys(self.nodes, 0)
        for key in self.nodes:
            for target in self._successors(key):
                incoming[target] += 1
        ready = [k for k, n in incoming.items() if n == 0]
        order = []
        while ready:
            key = ready.pop(0)
            order.append(key)
            for target in self._successors(key):
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
        return order

    def _successors(self, key: str) -> list[str]:
        out = []
        for choice in self.choices.get(key, []):
            if choice.get("red_line"):
                continue
            where = self.resolve(choice.get("target", ""))
            if where and where[0] == "node":
                out.append(where[1])
        return out

    def find_cycle(self) -> list[str] | None:
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self.nodes, white)
        stack: list[str] = []

        def visit(key: str) -> list[str] | None:
            colour[key] = grey
            stack.append(key)
            for target in self._successors(key):
                if colour[target] == grey:
                    return [*stack[stack.index(target) :], target]
                if colour[target] == white:
                    found = visit(target)
                    if found:
                        return found
            stack.pop()
            colour[key] = black
            return None

        for key in self.nodes:
            if colour[key] == white:
                found = visit(key)
                if found:
                    return found
        return None

    def reachable(self) -> set[str]:
        if self.start is None:
            return set()
        seen = {self.start}
        todo = [self.start]
        while todo:
            for target in self._successors(todo.pop()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen


def variant_keys(spec: dict) -> list[str]:
    """The variants a scenario can be played in ("" when it has none)."""
    keys = [v["key"] for v in spec["variants"]]
    return keys or [""]


def default_variant(spec: dict) -> str:
    for v in spec["variants"]:
        if v.get("is_default"):
            return v["key"]
    return spec["variants"][0]["key"] if spec["variants"] else ""


def scenario_key(spec: dict, variant: str) -> str:
    """``SIM-03`` for the default variant (or none), ``SIM-03:gas`` for another."""
    if not variant or variant == default_variant(spec):
        return spec["code"]
    return f"{spec['code']}:{variant}"


def _variant_label(spec: dict, variant: str) -> str:
    for v in spec["variants"]:
        if v["key"] == variant:
            return v["name"] or v["key"]
    return variant


def validate_spec(spec: dict) -> list[str]:
    """Everything wrong with a scenario, as messages an author understands (empty: fine)."""
    errors: list[str] = []
    dims = spec["dimensions"]
    dim_keys = [d["key"] for d in dims]
    if not dims:
        errors.append(_("Add at least one scoring dimension."))
    if len(set(dim_keys)) != len(dim_keys):
        errors.append(_("Two dimensions have the same key; every dimension needs its own key."))
    try:
        total = sum(Decimal(str(d["weight"])) for d in dims)
    except (InvalidOperation, TypeError):
        total = Decimal(0)
    if dims and abs(total - 1) > Decimal("0.001"):
        errors.append(
            _("The dimension weights add up to %(total)s; they must add up to 1.")
            % {"total": f"{total:.3f}"}
        )
    for d in dims:
        if not 0 <= int(d["minimum"]) <= 100:
            errors.append(
                _("The minimum of dimension %(dim)s must be between 0 and 100.") % {"dim": d["key"]}
            )
    if not 0 <= int(spec["pass_mark"]) <= 100:
        errors.append(_("The pass mark must be between 0 and 100."))

    variant_list = [v["key"] for v in spec["variants"]]
    if len(set(variant_list)) != len(variant_list):
        errors.append(_("Two variants have the same key."))
    ending_keys = [e["key"] for e in spec["endings"]]
    if not ending_keys:
        errors.append(_("Add at least one ending."))
    if len(set(ending_keys)) != len(ending_keys):
        errors.append(_("Two endings have the same key."))
    if not spec["nodes"]:
        errors.append(_("Add at least one node; the first node is where the scenario starts."))
    node_keys_all = {n["key"] for n in spec["nodes"]}
    for node in spec["nodes"]:
        if node["key"] in ending_keys:
            errors.append(
                _("“%(key)s” is used both as a node and as an ending key.") % {"key": node["key"]}
            )
        if node.get("variant") and node["variant"] not in variant_list:
            errors.append(
                _("Node %(node)s belongs to variant “%(variant)s”, which is not defined.")
                % {"node": node["key"], "variant": node["variant"]}
            )
        if node.get("replaces") and node["replaces"] not in node_keys_all:
            errors.append(
                _("Node %(node)s stands in for node %(other)s, which does not exist.")
                % {"node": node["key"], "other": node["replaces"]}
            )
    for choice in spec["choices"]:
        label = choice.get("label") or "?"
        where = {"node": choice["node"], "choice": label}
        if choice["node"] not in node_keys_all:
            errors.append(
                _("Choice %(choice)s belongs to node %(node)s, which does not exist.") % where
            )
        if "points_error" in choice:
            errors.append(
                _(
                    "Choice %(choice)s of node %(node)s: cannot read the points “%(text)s”; "
                    "write them like “LEG 3, EMP 2”."
                )
                % {**where, "text": choice["points_error"]}
            )
        for key, value in choice["points"].items():
            if key not in dim_keys:
                errors.append(
                    _(
                        "Choice %(choice)s of node %(node)s gives points on “%(dim)s”, which is not a dimension."
                    )
                    % {**where, "dim": key}
                )
            elif not 0 <= value <= MAX_POINTS:
                errors.append(
                    _("Choice %(choice)s of node %(node)s: points must be between 0 and 3.") % where
                )
        if choice.get("red_line"):
            if choice.get("target"):
                errors.append(
                    _(
                        "Choice %(choice)s of node %(node)s crosses a red line, so it must end the "
                        "run: leave its “next” empty."
                    )
                    % where
                )
            if not choice.get("red_line_explanation"):
                errors.append(
                    _(
                        "Choice %(choice)s of node %(node)s crosses a red line: explain the rule broken."
                    )
                    % where
                )
        elif not choice.get("target"):
            errors.append(
                _(
                    "Choice %(choice)s of node %(node)s leads nowhere: give the next node or an "
                    "ending (or mark it as a red line)."
                )
                % where
            )
    if errors:
        return errors

    for variant in variant_keys(spec):
        graph = VariantGraph(spec, variant)
        prefix = (
            _("Variant “%(variant)s”: ") % {"variant": _variant_label(spec, variant)}
            if variant
            else ""
        )
        for key in graph.nodes:
            if not graph.choices[key]:
                errors.append(
                    prefix
                    + _("Node %(node)s has no choices, so a run would get stuck there.")
                    % {"node": key}
                )
            for choice in graph.choices[key]:
                if choice.get("red_line"):
                    continue
                if graph.resolve(choice["target"]) is None:
                    errors.append(
                        prefix
                        + _(
                            "Choice %(choice)s of node %(node)s leads to “%(target)s”, which is "
                            "neither a node nor an ending."
                        )
                        % {"choice": choice["label"], "node": key, "target": choice["target"]}
                    )
        cycle = graph.find_cycle()
        if cycle:
            errors.append(
                prefix
                + _("The nodes %(cycle)s form a loop; a run could go round for ever.")
                % {"cycle": " → ".join(cycle)}
            )
        unreachable = [k for k in graph.nodes if k not in graph.reachable()]
        if unreachable:
            errors.append(
                prefix
                + _("No choice leads to node(s) %(nodes)s from the start node %(start)s.")
                % {"nodes": "、".join(unreachable), "start": graph.start}
            )
        if errors:
            continue
        paths = graph.paths()
        if len(paths) >= MAX_PATHS:
            errors.append(prefix + _("The scenario has too many paths to check; simplify it."))
            continue
        if not any(not p.red_line and graph.score_path(p).passed for p in paths):
            errors.append(
                prefix
                + _(
                    "No path through the scenario passes (pass mark %(mark)s and the dimension "
                    "minimums); check the points and the minimums."
                )
                % {"mark": spec["pass_mark"]}
            )
    return errors


def compile_scenario(scenario, *, dimensions, variants, nodes, choices, endings) -> dict:
    """Build a spec from a scenario and its parts (model instances or unsaved form objects)."""

    def order(items):
        return sorted(items, key=lambda o: (o.sort_order is None, o.sort_order or 0))

    spec_choices = []
    for c in order(choices):
        item = {
            "id": c.pk,
            "node": (c.node_key or "").strip(),
            "label": (c.label or "").strip(),
            "text": c.text,
            "target": (c.target_key or "").strip(),
            "red_line": bool(c.is_red_line),
            "red_line_code": c.red_line_code,
            "red_line_explanation": c.red_line_explanation,
            "legal_basis": c.legal_basis,
            "feedback": c.feedback,
        }
        try:
            item["points"] = parse_points(c.points)
        except ValueError:
            item["points"] = {}
            item["points_error"] = c.points
        spec_choices.append(item)
    return {
        "code": scenario.code,
        "title": scenario.title,
        "setup": scenario.setup,
        "pass_mark": scenario.pass_mark if scenario.pass_mark is not None else 0,
        "timeliness": (scenario.timeliness_dimension or "").strip(),
        "flag_rule": scenario.flag_rule or "",
        "dimensions": [
            {
                "key": (d.key or "").strip().upper(),
                "name": d.name,
                "weight": str(d.weight if d.weight is not None else 0),
                "minimum": d.minimum if d.minimum is not None else 0,
            }
            for d in order(dimensions)
        ],
        "variants": [
            {"key": v.key, "name": v.name, "is_default": bool(v.is_default)}
            for v in order(variants)
        ],
        "nodes": [
            {
                "key": (n.key or "").strip(),
                "title": n.title,
                "situation": n.situation,
                "image_id": n.image_id,
                "variant": (n.variant or "").strip(),
                "replaces": (n.replaces or "").strip(),
                "time_limit": n.time_limit_seconds,
            }
            for n in order(nodes)
        ],
        "choices": spec_choices,
        "endings": [
            {"key": (e.key or "").strip(), "title": e.title, "outcome": e.outcome}
            for e in order(endings)
        ],
    }


def as_decimal(value: Fraction, places: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)

"""Dashboard figures and their charts, drawn here as SVG: no script, no external library.

Each figure is a list of ``(label, value, extra)`` rows; the template shows the chart and the
same rows as a table, so the numbers are always readable (and screen-reader friendly).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments import queries as exam_queries
from assessments.simulations import queries as simulation_queries
from certification.models import Certificate
from certification.rules import add_months
from courses import queries as course_queries
from people.access import org_units_visible_to, sees_everything
from people.models import OrgLevel, OrgUnit

from . import records

CPD_BUCKETS = [(0, 0), (0, 10), (10, 20), (20, 40), (40, None)]


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    percent: bool = False
    note: str = ""

    @property
    def svg(self) -> SafeString:
        return bar_chart([(r[0], r[1]) for r in self.rows], percent=self.percent, title=self.title)


def bar_chart(rows, *, percent: bool = False, title: str = "") -> SafeString:
    """Horizontal bars, one per row, sized for a 390 px phone (scales with the viewBox)."""
    width, label_w, bar_w, row_h = 360, 120, 190, 26
    height = max(row_h, row_h * len(rows)) + 8
    top = max((float(v) for _l, v in rows), default=0) or 1
    if percent:
        top = 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="hr-chart" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = 0 if not value else max(1, round(float(value) / top * bar_w))
        shown = f"{value:.0f}%" if percent else _fmt(value)
        text = str(label)
        if len(text) > 9:
            text = text[:8] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" class="hr-chart-label">'
            f"{escape(text)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" rx="2" '
            f'class="hr-chart-bar"/>'
            f'<text x="{label_w + w + 4}" y="{y + 17}" class="hr-chart-value">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _fmt(value) -> str:
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)


def _pct(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def dashboard(user, on: dt.date | None = None) -> list[Figure]:
    """Every figure of the HR dashboard for ``user``'s jurisdiction (a fixed number of queries)."""
    on = on or timezone.localdate()
    rows = list(
        records.records_for(user, on).values_list(
            "user_id", "org_unit__path", "cert_status", "review_eligible"
        )
    )
    user_ids = [r[0] for r in rows]
    return [
        _coverage(user, rows),
        _expiring(user, on),
        _cpd(user_ids, on),
        _eligibility(rows),
        *_pass_rates(user_ids),
    ]


def _coverage(user, rows) -> Figure:
    units = list(
        org_units_visible_to(user)
        .filter(level__in=[OrgLevel.STREET, OrgLevel.COMMUNITY])
        .only("path", "name", "level", "depth")
    )
    total: Counter = Counter()
    valid: Counter = Counter()
    known = {u.path for u in units}
    step = OrgUnit.steplen
    for _uid, path, status, _el in rows:
        for depth in (3, 4):
            prefix = path[: depth * step]
            if len(path) >= depth * step and prefix in known:
                total[prefix] += 1
                valid[prefix] += status == "valid"
    fig = Figure(
        "coverage",
        _("Certification coverage by street and community"),
        [_("Unit"), _("Coverage"), _("Certified"), _("Workers")],
        percent=True,
    )
    for u in units:
        if total[u.path]:
            label = u.name if u.level == OrgLevel.STREET else f"· {u.name}"
            fig.rows.append(
                (label, _pct(valid[u.path], total[u.path]), valid[u.path], total[u.path])
            )
    return fig


def _expiring(user, on: dt.date) -> Figure:
    qs = Certificate.objects.filter(
        revoked_on__isnull=True,
        superseded_on__isnull=True,
        expires_on__gte=on,
        expires_on__lt=add_months(on.replace(day=1), 12),
    )
    if not sees_everything(user):
        root = user.jurisdiction
        qs = qs.filter(worker__org_unit__path__startswith=root.path) if root else qs.none()
    by_month = Counter(d.strftime("%Y-%m") for d in qs.values_list("expires_on", flat=True))
    fig = Figure(
        "expiring",
        _("Certificates expiring by month"),
        [_("Month"), _("Expiring certificates")],
    )
    month = on.replace(day=1)
    for _i in range(12):
        key = month.strftime("%Y-%m")
        fig.rows.append((key, by_month.get(key, 0)))
        month = add_months(month, 1)
    return fig


def _cpd(user_ids, on: dt.date) -> Figure:
    hours = course_queries.cpd_hours(user_ids, dt.date(on.year, 1, 1), dt.date(on.year, 12, 31))
    counts = [0] * len(CPD_BUCKETS)
    for uid in user_ids:
        h = Decimal(hours.get(uid) or 0)
        for i, (lo, hi) in enumerate(CPD_BUCKETS):
            if (hi == 0 and h == 0) or (hi != 0 and h > lo and (hi is None or h <= hi)):
                counts[i] += 1
                break
    labels = [
        _("0 h"),
        _("0–10 h"),
        _("10–20 h"),
        _("20–40 h"),
        _("over 40 h"),
    ]
    fig = Figure(
        "cpd",
        _("CPD hours this year (%(year)s): workers per band") % {"year": on.year},
        [_("Hours"), _("Workers")],
    )
    fig.rows = list(zip(labels, counts, strict=True))
    return fig


def _eligibility(rows) -> Figure:
    c = Counter(r[3] for r in rows)
    fig = Figure(
        "eligibility",
        _("Latest grade review: eligibility"),
        [_("Result"), _("Workers")],
    )
    fig.rows = [
        (_("Eligible"), c.get(True, 0)),
        (_("Blocked"), c.get(False, 0)),
        (_("Not in a review"), c.get(None, 0)),
    ]
    return fig


def _pass_rates(user_ids) -> list[Figure]:
    exams = exam_queries.best_exam_results(user_ids)
    sims = simulation_queries.best_results(user_ids)
    exam_stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for results in exams.values():
        for code, r in results.items():
            exam_stats[code][0] += 1
            exam_stats[code][1] += bool(r.passed)
    sim_stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for results in sims.values():
        for key, r in results.items():
            sim_stats[key][0] += 1
            sim_stats[key][1] += bool(r.passed and not r.red_line)
    columns = [_("Code"), _("Pass rate"), _("Passed"), _("Took part")]
    exam_fig = Figure("exams", _("Exam pass rates"), columns, percent=True)
    exam_fig.rows = [(code, _pct(p, n), p, n) for code, (n, p) in sorted(exam_stats.items())]
    sim_fig = Figure("simulations", _("Simulation pass rates"), columns, percent=True)
    sim_fig.rows = [(key, _pct(p, n), p, n) for key, (n, p) in sorted(sim_stats.items())]
    sim_fig.note = _("Best run per person; a run with a red line does not pass.")
    return [exam_fig, sim_fig]

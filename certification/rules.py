"""The rules engine: a pure function from a worker's facts and a level's rules to a verdict.

Nothing here touches the database. ``sources.py`` builds :class:`Facts` for many workers at once
from the other apps' query points; ``services.py`` turns met levels into certificates. Every
status carries its progress in words ("已完成 32/40 学时") and the missing items a learner can act
on, so the learner home can show the shortest way to the next level.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

# --- dates --------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int | float | Decimal) -> dt.date:
    """Anniversary ``years`` later. 29 February's anniversary in a common year is 1 March,
    the same convention as ``WorkerProfile.service_years`` (a year is complete on 1 March)."""
    whole = int(years)
    months = round((Decimal(str(years)) - whole) * 12)
    year = day.year + whole
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        shifted = dt.date(year, 3, 1)
    else:
        shifted = dt.date(year, day.month, day.day)
    return add_months(shifted, int(months)) if months else shifted


def trailing_window(on: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The ``months`` ending on ``on``, both ends inclusive: (on − months + 1 day, on)."""
    return add_months(on, -months) + dt.timedelta(days=1), on


def whole_years_between(start: dt.date, on: dt.date) -> int:
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(0, years)


_ZERO = Decimal("0")
_SIXTY = Decimal("60")


def _num(value: Decimal | float | int) -> str:
    """32 rather than 32.0; 7.5 stays 7.5."""
    d = Decimal(str(value)).normalize()
    return f"{d:f}"


# --- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    kind: str
    hours: Decimal
    date: dt.date
    session_id: int | None = None


@dataclass(frozen=True)
class ExamResult:
    score: Decimal
    passed: bool
    date: dt.date


@dataclass(frozen=True)
class SimResult:
    overall: Decimal
    dimensions: dict[str, Decimal]
    passed: bool
    red_line: bool
    date: dt.date


@dataclass(frozen=True)
class AcceptedCase:
    case_id: int
    review_level: str  # "street" or "district"
    date: dt.date


@dataclass(frozen=True)
class HeldCertificate:
    level_code: str
    valid_from: dt.date
    expires_on: dt.date | None
    held_since: dt.date
    revoked_on: dt.date | None = None
    ended_on: dt.date | None = None  # replaced by the next level (C0 → C1)

    def valid_on(self, day: dt.date) -> bool:
        if day < self.valid_from or (self.expires_on is not None and day > self.expires_on):
            return False
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return not (self.ended_on is not None and day >= self.ended_on)


@dataclass
class Facts:
    """Everything the rules read about one worker, gathered before evaluation."""

    user_id: int
    service_start: dt.date | None = None
    qualification: str = ""  # "", "assistant", "social_worker", "senior"
    completed_courses: dict[str, dt.date] = field(default_factory=dict)
    cpd_hours: dict[tuple[dt.date, dt.date], Decimal] = field(default_factory=dict)
    attendance: list[Attendance] = field(default_factory=list)
    exams: dict[str, ExamResult] = field(default_factory=dict)
    simulations: dict[str, SimResult] = field(default_factory=dict)
    red_line_hits: dict[dt.date, int] = field(default_factory=dict)  # since → count
    cases: list[AcceptedCase] = field(default_factory=list)
    certificates: list[HeldCertificate] = field(default_factory=list)
    appraisals: dict[int, str] = field(default_factory=dict)  # year → result


# --- rules --------------------------------------------------------------------------------------

QUALIFICATION_ORDER = {"": 0, "assistant": 1, "social_worker": 2, "senior": 3}


def qualification_label(code: str) -> str:
    return {
        "assistant": _("assistant social worker"),
        "social_worker": _("social worker"),
        "senior": _("senior social worker"),
    }.get(code, code)


def attendance_label(kind: str) -> str:
    """Offline session kinds of ``courses.SessionKind``."""
    return {
        "training": _("offline training"),
        "field_visit": _("field teaching"),
        "drill": _("emergency drills"),
        "case_sharing": _("case-sharing sessions"),
    }.get(kind, kind)


def dimension_label(code: str) -> str:
    """Scoring dimensions of the simulations (domain.md §5(c))."""
    return {
        "LEG": _("legality"),
        "EMP": _("empathy"),
        "PRO": _("procedure"),
        "TIM": _("timeliness"),
        "SAF": _("safety"),
    }.get(code, code)


@dataclass(frozen=True)
class RequirementSpec:
    kind: str
    purpose: str = "earn"
    codes: tuple[str, ...] = ()
    category: str = ""
    count: int = 1
    min_score: Decimal | None = None
    dimension: str = ""
    min_dimension_score: Decimal | None = None
    hours: Decimal | None = None
    window_months: int | None = None
    attendance_kind: str = ""
    years: Decimal | None = None
    other_level: str = ""
    review_level: str = ""
    qualification: str = ""
    choice_group: int = 0
    choice_option: int = 0


@dataclass(frozen=True)
class LevelSpec:
    code: str
    name: str
    rank: int = 0
    is_badge: bool = False
    validity_months: int | None = None
    renewable: bool = True
    renewal_window_days: int = 90
    grace_days: int = 90
    ends_when_next_issued: bool = False
    auto_issue: bool = True
    annual_cpd_hours: Decimal = Decimal("0")
    requirements: tuple[RequirementSpec, ...] = ()

    def __post_init__(self):
        # not a field: equality, hashing and repr stay those of the fields
        object.__setattr__(self, "_by_purpose", {})

    def for_purpose(self, purpose: str) -> tuple[RequirementSpec, ...]:
        found = self._by_purpose.get(purpose)
        if found is None:
            found = tuple(r for r in self.requirements if r.purpose == purpose)
            self._by_purpose[purpose] = found
        return found


@dataclass(frozen=True)
class Catalogue:
    """Shared context: course codes per category (from ``courses.queries``)."""

    categories: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RequirementStatus:
    spec: RequirementSpec
    met: bool
    label: str
    progress: str
    missing: tuple[str, ...] = ()


class LevelEvaluation:
    """A level's verdict for one purpose on one date, and the words that explain it.

    ``met`` is always computed at once. ``statuses`` (each requirement's progress in words) and
    ``shortest_missing`` are built on first access when the evaluation was made with
    ``explain=False`` (sweeps, set-based evaluation, :func:`due_actions`): a caller that reads only
    the verdict never pays for the words, and one that shows them gets exactly the words of an
    eager evaluation, in the language that was active when the evaluation was made. The facts
    must not change in between (they are snapshots: nothing in this module changes them).
    """

    __slots__ = ("level", "purpose", "met", "_statuses", "_shortest", "_source")

    def __init__(
        self,
        level: str,
        purpose: str,
        met: bool,
        statuses: tuple[RequirementStatus, ...] | None = None,
        shortest_missing: tuple[str, ...] | None = None,
        *,
        source: tuple | None = None,
    ):
        if (statuses is None or shortest_missing is None) and source is None:
            raise TypeError("LevelEvaluation needs its statuses or the source to build them")
        self.level = level
        self.purpose = purpose
        self.met = met
        self._statuses = statuses
        self._shortest = shortest_missing
        self._source = source  # (LevelSpec, Facts, on, Catalogue, language) while words are due

    @property
    def statuses(self) -> tuple[RequirementStatus, ...]:
        if self._statuses is None:
            self._explain()
        return self._statuses

    @property
    def shortest_missing(self) -> tuple[str, ...]:
        if self._shortest is None:
            self._explain()
        return self._shortest

    def _explain(self) -> None:
        level, facts, on, catalogue, language = self._source
        if translation.get_language() == language:
            full = evaluate(level, facts, on, purpose=self.purpose, catalogue=catalogue)
        else:
            with translation.override(language):
                full = evaluate(level, facts, on, purpose=self.purpose, catalogue=catalogue)
        self._statuses, self._shortest = full.statuses, full.shortest_missing
        self._source = None

    def _key(self) -> tuple:
        return (self.level, self.purpose, self.met, self.statuses, self.shortest_missing)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LevelEvaluation):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"LevelEvaluation(level={self.level!r}, purpose={self.purpose!r}, met={self.met!r}, "
            f"statuses={self.statuses!r}, shortest_missing={self.shortest_missing!r})"
        )


def _windows_needed(spec: RequirementSpec, on: dt.date) -> tuple[dt.date, dt.date] | None:
    if spec.kind == "cpd_hours":
        return trailing_window(on, spec.window_months or 12)
    return None


def cpd_windows(levels: Iterable[LevelSpec], on: dt.date) -> set[tuple[dt.date, dt.date]]:
    """Every (start, end) CPD window the rules will ask about on ``on``."""
    out = set()
    for level in levels:
        for spec in level.requirements:
            window = _windows_needed(spec, on)
            if window:
                out.add(window)
    return out


def red_line_sinces(levels: Iterable[LevelSpec], on: dt.date) -> set[dt.date]:
    out = set()
    for level in levels:
        for spec in level.requirements:
            if spec.kind == "no_red_line":
                out.add(trailing_window(on, spec.window_months or 12)[0])
    return out


# Each check computes its verdict first; with ``explain=False`` it returns the bare ``met`` and
# builds no words (no gettext, no number formatting). With ``explain=True`` it returns
# ``(met, label, progress, missing)``. The verdict is the same either way: it is computed once,
# before the words.


def _courses(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    completed = facts.completed_courses  # code -> date completed; done if on or before ``on``
    if spec.category:
        pool = cat.categories.get(spec.category, frozenset())
        have = sorted(c for c in pool if (d := completed.get(c)) is not None and d <= on)
        need = spec.count
        met = len(have) >= need
        if not explain:
            return met
        progress = _("Completed %(have)s/%(need)s courses of category %(cat)s") % {
            "have": min(len(have), need),
            "need": need,
            "cat": spec.category,
        }
        missing = (
            ()
            if met
            else (
                _("%(n)s more course(s) of category %(cat)s")
                % {"n": need - len(have), "cat": spec.category},
            )
        )
        label = _("%(n)s courses of category %(cat)s") % {"n": need, "cat": spec.category}
        return met, label, progress, missing
    codes = list(spec.codes)
    missing_codes = [c for c in codes if (d := completed.get(c)) is None or d > on]
    met = not missing_codes
    if not explain:
        return met
    progress = _("Completed %(have)s/%(need)s courses") % {
        "have": len(codes) - len(missing_codes),
        "need": len(codes),
    }
    if missing_codes:
        progress += _(", missing %(codes)s") % {"codes": "、".join(missing_codes)}
    missing = tuple(_("Complete course %(code)s") % {"code": c} for c in missing_codes)
    return met, _("Courses %(codes)s") % {"codes": "、".join(codes)}, progress, missing


def _exam(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    code = spec.codes[0] if spec.codes else ""
    need = spec.min_score if spec.min_score is not None else _SIXTY
    result = facts.exams.get(code)
    if result is not None and result.date > on:
        result = None
    met = bool(result and result.passed and result.score >= need)
    if not explain:
        return met
    label = _("Exam %(code)s ≥ %(need)s") % {"code": code, "need": _num(need)}
    if result is None:
        progress = _("Exam %(code)s not taken yet, needs ≥ %(need)s") % {
            "code": code,
            "need": _num(need),
        }
    else:
        progress = _("Exam %(code)s best score %(score)s, needs ≥ %(need)s") % {
            "code": code,
            "score": _num(result.score),
            "need": _num(need),
        }
    missing = (
        ()
        if met
        else (_("Pass exam %(code)s with ≥ %(need)s") % {"code": code, "need": _num(need)},)
    )
    return met, label, progress, missing


def _simulation(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    key = spec.codes[0] if spec.codes else ""
    need = spec.min_score if spec.min_score is not None else _SIXTY
    result = facts.simulations.get(key)
    if result is not None and result.date > on:
        result = None
    dim, dim_need = spec.dimension, spec.min_dimension_score
    if result is None:
        met = False
    else:
        dim_ok = True
        if dim and dim_need is not None:
            dim_ok = result.dimensions.get(dim, _ZERO) >= dim_need
        # The level's own minimum decides (C0 accepts 60 where the scenario's pass mark is 70);
        # a red line always fails.
        met = (not result.red_line) and result.overall >= need and dim_ok
    if not explain:
        return met
    condition = _("needs ≥ %(need)s") % {"need": _num(need)}
    if dim and dim_need is not None:
        condition = _("needs ≥ %(need)s and %(dim)s dimension ≥ %(dim_need)s") % {
            "need": _num(need),
            "dim": dimension_label(dim),
            "dim_need": _num(dim_need),
        }
    label = _("Simulation %(key)s: %(condition)s, no red line") % {
        "key": key,
        "condition": condition,
    }
    if result is None:
        progress = _("%(key)s not attempted yet, %(condition)s") % {
            "key": key,
            "condition": condition,
        }
    else:
        progress = _("%(key)s best score %(score)s, %(condition)s") % {
            "key": key,
            "score": _num(result.overall),
            "condition": condition,
        }
        if dim:
            progress += _(" (%(dim)s %(value)s)") % {
                "dim": dimension_label(dim),
                "value": _num(result.dimensions.get(dim, _ZERO)),
            }
        if result.red_line:
            progress += _("; the best attempt hit a red line")
    missing = (
        ()
        if met
        else (_("Pass simulation %(key)s (%(condition)s)") % {"key": key, "condition": condition},)
    )
    return met, label, progress, missing


def _cpd(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    months = spec.window_months or 12
    window = trailing_window(on, months)
    have = facts.cpd_hours.get(window, _ZERO)
    need = spec.hours or _ZERO
    met = have >= need
    if not explain:
        return met
    label = _("%(need)s CPD hours in the last %(months)s months") % {
        "need": _num(need),
        "months": months,
    }
    progress = _("Completed %(have)s/%(need)s hours (%(start)s to %(end)s)") % {
        "have": _num(have),
        "need": _num(need),
        "start": window[0].isoformat(),
        "end": window[1].isoformat(),
    }
    missing = () if met else (_("%(n)s more CPD hours") % {"n": _num(need - have)},)
    return met, label, progress, missing


def _attendance(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    start = trailing_window(on, spec.window_months)[0] if spec.window_months else None
    have = sum(
        (
            a.hours
            for a in facts.attendance
            if (not spec.attendance_kind or a.kind == spec.attendance_kind)
            and a.date <= on
            and (start is None or a.date >= start)
        ),
        _ZERO,
    )
    need = spec.hours or _ZERO
    met = have >= need
    if not explain:
        return met
    what = attendance_label(spec.attendance_kind) if spec.attendance_kind else _("offline sessions")
    label = _("%(need)s hours of %(what)s") % {"need": _num(need), "what": what}
    progress = _("Attended %(have)s/%(need)s hours of %(what)s") % {
        "have": _num(have),
        "need": _num(need),
        "what": what,
    }
    missing = (
        () if met else (_("%(n)s more hours of %(what)s") % {"n": _num(need - have), "what": what},)
    )
    return met, label, progress, missing


def _service(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    need = spec.years or _ZERO
    if facts.service_start is None:
        if not explain:
            return False
        label = _("%(n)s years of service") % {"n": _num(need)}
        return False, label, _("Service start date unknown"), (_("Service start date on file"),)
    reached = add_years(facts.service_start, need)
    met = reached <= on
    if not explain:
        return met
    label = _("%(n)s years of service") % {"n": _num(need)}
    have = whole_years_between(facts.service_start, on)
    progress = _("%(have)s of %(need)s years of service") % {"have": have, "need": _num(need)}
    if not met:
        progress += _(", reached on %(date)s") % {"date": reached.isoformat()}
    missing = () if met else (_("Reach %(n)s years of service") % {"n": _num(need)},)
    return met, label, progress, missing


def _level_held(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    code = spec.other_level
    years = spec.years or _ZERO
    valid = [c for c in facts.certificates if c.level_code == code and c.valid_on(on)]
    if not valid:
        if not explain:
            return False
        label = _level_held_label(code, years)
        lapsed = [c for c in facts.certificates if c.level_code == code]
        progress = (
            _("%(code)s is no longer valid") % {"code": code}
            if lapsed
            else _("%(code)s not held") % {"code": code}
        )
        return False, label, progress, (_("Hold a valid %(code)s") % {"code": code},)
    since = min(c.held_since for c in valid)
    reached = add_years(since, years)
    met = reached <= on
    if not explain:
        return met
    label = _level_held_label(code, years)
    progress = _("%(code)s held since %(since)s") % {"code": code, "since": since.isoformat()}
    if not met:
        progress += _(", long enough on %(date)s") % {"date": reached.isoformat()}
    missing = (
        ()
        if met
        else (_("Hold %(code)s until %(date)s") % {"code": code, "date": reached.isoformat()},)
    )
    return met, label, progress, missing


def _level_held_label(code: str, years: Decimal) -> str:
    return (
        _("%(code)s held and valid for %(n)s years") % {"code": code, "n": _num(years)}
        if years
        else _("%(code)s held and valid") % {"code": code}
    )


_CASE_LEVELS = {"street": ("street", "district"), "district": ("district",)}


def _case(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    levels = _CASE_LEVELS.get(spec.review_level, ("street", "district"))
    start = trailing_window(on, spec.window_months)[0] if spec.window_months else None
    have = sum(
        1
        for c in facts.cases
        if c.review_level in levels and c.date <= on and (start is None or c.date >= start)
    )
    need = spec.count or 1
    met = have >= need
    if not explain:
        return met
    where = _("district") if spec.review_level == "district" else _("street")
    label = _("%(n)s case(s) accepted at %(where)s level") % {"n": need, "where": where}
    progress = _("%(have)s/%(need)s case(s) accepted at %(where)s level or above") % {
        "have": have,
        "need": need,
        "where": where,
    }
    missing = () if met else (_("Have a case accepted at %(where)s level") % {"where": where},)
    return met, label, progress, missing


def _qualification(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    need = spec.qualification
    met = QUALIFICATION_ORDER.get(facts.qualification, 0) >= QUALIFICATION_ORDER.get(need, 0)
    if not explain:
        return met
    label = _("Qualification: %(q)s or higher") % {"q": qualification_label(need)}
    progress = (
        _("Holds %(q)s") % {"q": qualification_label(facts.qualification)}
        if facts.qualification
        else _("No social-work qualification on file")
    )
    missing = (
        () if met else (_("Obtain the %(q)s qualification") % {"q": qualification_label(need)},)
    )
    return met, label, progress, missing


def _no_red_line(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    months = spec.window_months or 12
    since = trailing_window(on, months)[0]
    hits = facts.red_line_hits.get(since, 0)
    met = hits == 0
    if not explain:
        return met
    label = _("No red-line hit in the last %(months)s months") % {"months": months}
    progress = _("%(n)s red-line hit(s) since %(since)s") % {"n": hits, "since": since.isoformat()}
    missing = () if met else (_("Take the remedial course and replay without a red line"),)
    return met, label, progress, missing


def _appraisal(spec: RequirementSpec, facts: Facts, on: dt.date, cat: Catalogue, explain: bool):
    years = int(spec.years or 3)
    span = range(on.year - years, on.year)
    bad = sorted(y for y in span if facts.appraisals.get(y) == "incompetent")
    met = not bad
    if not explain:
        return met
    label = _("No 不称职 appraisal in the last %(n)s years") % {"n": years}
    progress = (
        _("No 不称职 appraisal in %(a)s–%(b)s") % {"a": span.start, "b": span.stop - 1}
        if met
        else _("不称职 in %(years)s") % {"years": "、".join(str(y) for y in bad)}
    )
    missing = () if met else (_("An appraisal record without 不称职"),)
    return met, label, progress, missing


_CHECKS = {
    "courses": _courses,
    "exam": _exam,
    "simulation": _simulation,
    "cpd_hours": _cpd,
    "attendance": _attendance,
    "service_years": _service,
    "level_held": _level_held,
    "case": _case,
    "qualification": _qualification,
    "no_red_line": _no_red_line,
    "appraisal": _appraisal,
}


def check(spec: RequirementSpec, facts: Facts, on: dt.date, catalogue: Catalogue | None = None):
    met, label, progress, missing = _CHECKS[spec.kind](
        spec, facts, on, catalogue or _NO_CATALOGUE, True
    )
    return RequirementStatus(spec=spec, met=met, label=label, progress=progress, missing=missing)


def is_met(spec: RequirementSpec, facts: Facts, on: dt.date, catalogue: Catalogue | None = None):
    """``check(...).met`` without building the words."""
    return _CHECKS[spec.kind](spec, facts, on, catalogue or _NO_CATALOGUE, False)


_NO_CATALOGUE = Catalogue()


def _level_met(level: LevelSpec, facts: Facts, on: dt.date, purpose: str, cat: Catalogue) -> bool:
    """The verdict of :func:`evaluate` alone, stopping at the first requirement that fails.

    Every unmet requirement has at least one missing item, so a choice group is met exactly when
    one of its options has every requirement met (the option :func:`evaluate` keeps as closest
    to done then has nothing missing)."""
    groups: dict[int, dict[int, bool]] = {}
    for spec in level.for_purpose(purpose):
        if spec.choice_group:
            options = groups.setdefault(spec.choice_group, {})
            if options.get(spec.choice_option, True):
                options[spec.choice_option] = _CHECKS[spec.kind](spec, facts, on, cat, False)
        elif not _CHECKS[spec.kind](spec, facts, on, cat, False):
            return False
    return all(any(options.values()) for options in groups.values())


_CURRENT = object()


def evaluate(
    level: LevelSpec,
    facts: Facts,
    on: dt.date,
    *,
    purpose: str = "earn",
    catalogue: Catalogue | None = None,
    explain: bool = True,
    language: str | None | object = _CURRENT,
) -> LevelEvaluation:
    """Each requirement's status for ``purpose`` on ``on``, and whether the level is met.

    A choice group is met when one of its options is met in full; its missing items are those of
    the option closest to done, so ``shortest_missing`` is the shortest way to the level.

    With ``explain=False`` only the verdict is computed now; the words are built on first access
    (see :class:`LevelEvaluation`), in ``language`` (by default the one active now).
    """
    if not explain:
        cat = catalogue or _NO_CATALOGUE
        if language is _CURRENT:
            language = translation.get_language()
        return LevelEvaluation(
            level.code,
            purpose,
            _level_met(level, facts, on, purpose, cat),
            source=(level, facts, on, catalogue, language),
        )
    statuses = tuple(check(spec, facts, on, catalogue) for spec in level.for_purpose(purpose))
    met = True
    shortest: list[str] = []
    groups: dict[int, dict[int, list[RequirementStatus]]] = {}
    for status in statuses:
        if status.spec.choice_group:
            groups.setdefault(status.spec.choice_group, {}).setdefault(
                status.spec.choice_option, []
            ).append(status)
        elif not status.met:
            met = False
            shortest.extend(status.missing)
    for options in groups.values():
        best: list[str] | None = None
        for members in options.values():
            missing = [m for s in members if not s.met for m in s.missing]
            if best is None or len(missing) < len(best):
                best = missing
        if best:
            met = False
            shortest.extend(best)
    return LevelEvaluation(
        level.code,
        purpose,
        met,
        statuses,
        tuple(dict.fromkeys(shortest)),
    )


# --- what to issue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    level: str
    purpose: str  # "earn" or "renew"
    evaluation: LevelEvaluation


def renewal_opens(level: LevelSpec, cert: HeldCertificate) -> dt.date | None:
    if not level.renewable or cert.expires_on is None:
        return None
    return cert.expires_on - dt.timedelta(days=level.renewal_window_days)


def due_actions(
    levels: Iterable[LevelSpec],
    facts: Facts,
    on: dt.date,
    catalogue: Catalogue | None = None,
    *,
    evaluations: dict[tuple[str, str], LevelEvaluation] | None = None,
    language: str | None | object = _CURRENT,
) -> list[Action]:
    """The certificates a worker should be issued on ``on``: first awards and renewals.

    - a level held and valid is renewed only inside its renewal window, or within the grace
      period after expiry, when its renewal requirements (or, if it has none, its earning
      requirements) are met;
    - a revoked certificate blocks automatic re-issue of that level until it would have expired;
    - a level that ends when the next is issued (C0) is not earned once a higher level is held.

    Levels are evaluated without words (``explain=False``): an action's ``evaluation`` builds
    them when it is read. ``evaluations`` memoises evaluations by (level code, purpose) for this
    worker and date; a caller that already evaluated a level (the next level on a page) passes
    it in and gets the ones made here back.
    """
    if evaluations is None:
        evaluations = {}
    if language is _CURRENT:
        language = translation.get_language()
    levels = sorted(levels, key=lambda lv: (lv.is_badge, lv.rank))
    actions: list[Action] = []
    ladder_rank = {lv.code: lv.rank for lv in levels if not lv.is_badge}
    held_ranks = [
        ladder_rank[c.level_code]
        for c in facts.certificates
        if c.level_code in ladder_rank and c.valid_on(on)
    ]
    for level in levels:
        if not level.auto_issue:
            continue
        mine = sorted(
            (c for c in facts.certificates if c.level_code == level.code),
            key=lambda c: c.valid_from,
        )
        latest = mine[-1] if mine else None
        purpose = "earn"
        if latest is not None:
            if latest.valid_from > on:
                continue  # already renewed ahead of expiry
            if latest.revoked_on is not None:
                if latest.expires_on is None or latest.expires_on >= on:
                    continue
            elif latest.ended_on is not None:
                continue
            elif latest.valid_on(on):
                opens = renewal_opens(level, latest)
                if opens is None or on < opens:
                    continue
                purpose = "renew"
            elif (
                level.renewable
                and latest.expires_on is not None
                and on <= latest.expires_on + dt.timedelta(days=level.grace_days)
            ):
                purpose = "renew"
        if (
            purpose == "earn"
            and level.ends_when_next_issued
            and any(r > level.rank for r in held_ranks)
        ):
            continue
        wanted = "renew" if purpose == "renew" and level.for_purpose("renew") else "earn"
        evaluation = evaluations.get((level.code, wanted))
        if evaluation is None:
            evaluation = evaluate(
                level,
                facts,
                on,
                purpose=wanted,
                catalogue=catalogue,
                explain=False,
                language=language,
            )
            evaluations[(level.code, wanted)] = evaluation
        if evaluation.met:
            actions.append(Action(level=level.code, purpose=purpose, evaluation=evaluation))
    return actions

"""三岗十八级: grade eligibility and the pay estimate, as pure functions over snapshots.

The rule (defaults of domain.md §1 and §5(d), every number configurable in ``PayRuleSet``):

- credited years = education credit (本科 3 / 硕士 5 / 博士 7)
  + service years not covered by an appraisal on file (1 each)
  + for each appraised year: 优秀 1.5 / 称职 1.0 / 基本称职 0.5 / 不称职 0, capped at 0.5 in a
  year whose CPD hours fell short of the level the worker holds;
- grade due = post floor + ⌊credited years ÷ step years⌋ (+ qualification bump in "grade bump"
  mode), capped at the post's top grade;
- a worker whose grade is below the grade due may step up **one** grade at a review, if the
  certificate gate of that grade band is met on the review date and the last appraisal is not
  不称职. Nothing changes a grade without an HR decision (``services.decide_review_items``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

from . import rules

APPRAISAL_LABELS = {
    "excellent": "优秀",
    "competent": "称职",
    "basic": "基本称职",
    "incompetent": "不称职",
}


@dataclass(frozen=True)
class LadderRules:
    post_ranges: dict[str, tuple[int, int]]
    step_years: int = 3
    degree_years: dict[str, int] = field(default_factory=dict)
    qual_mode: str = "grade_bump"
    qual_bump: dict[str, int] = field(default_factory=dict)
    qual_allowance: dict[str, Decimal] = field(default_factory=dict)
    appraisal_credit: dict[str, Decimal] = field(default_factory=dict)
    cpd_shortfall_cap: Decimal = Decimal("0.5")
    cpd_rule_from: int = 0
    gates: tuple[tuple[int, int, str], ...] = ()
    level_ranks: dict[str, int] = field(default_factory=dict)
    level_cpd: dict[str, Decimal] = field(default_factory=dict)
    post_ratio: dict[str, Decimal] = field(default_factory=dict)
    grade_increment: Decimal = Decimal("0.025")
    base_share: Decimal = Decimal("0.70")
    performance_factor: dict[str, Decimal] = field(default_factory=dict)

    def gate_for(self, grade: int) -> str:
        for lo, hi, code in self.gates:
            if lo <= grade <= hi:
                return code
        return ""


@dataclass
class LadderFacts:
    post: str
    grade: int
    education: str
    qualification: str
    service_start: dt.date
    appraisals: dict[int, str] = field(default_factory=dict)
    cpd_by_year: dict[int, Decimal] | None = None  # None: CPD data not available
    certificates: list[rules.HeldCertificate] = field(default_factory=list)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    current_grade: int
    proposed_grade: int
    due_grade: int
    credited_years: Decimal
    reason: str
    next_step: str


def _held_rank(facts: LadderFacts, lr: LadderRules, on: dt.date) -> tuple[int, str]:
    best = (-1, "")
    for c in facts.certificates:
        rank = lr.level_ranks.get(c.level_code)
        if rank is not None and c.valid_on(on) and rank > best[0]:
            best = (rank, c.level_code)
    return best


class MemoGettext:
    """``gettext`` remembered for one batch in one language: a review of thousands of workers
    looks each message up once instead of once per worker. Same words as ``gettext``."""

    __slots__ = ("_found",)

    def __init__(self):
        self._found: dict[str, str] = {}

    def __call__(self, message: str) -> str:
        found = self._found.get(message)
        if found is None:
            found = self._found[message] = gettext(message)
        return found


def credited_years(
    facts: LadderFacts,
    lr: LadderRules,
    on: dt.date,
    *,
    translate: Callable[[str], str] = gettext,
) -> tuple[Decimal, list[str]]:
    """Credited years on ``on`` and the words that explain them."""
    _ = translate
    degree = Decimal(lr.degree_years.get(facts.education, 0))
    service = rules.whole_years_between(facts.service_start, on)
    years = [y for y in sorted(facts.appraisals) if facts.service_start.year <= y < on.year]
    uncovered = max(0, service - len(years))
    _rank, held = _held_rank(facts, lr, on)
    cpd_need = lr.level_cpd.get(held) or min(lr.level_cpd.values(), default=Decimal("0"))
    credit = Decimal("0")
    parts = []
    for y in years:
        result = facts.appraisals[y]
        c = Decimal(str(lr.appraisal_credit.get(result, 0)))
        note = ""
        if facts.cpd_by_year is not None and cpd_need and y >= lr.cpd_rule_from:
            hours = facts.cpd_by_year.get(y, Decimal("0"))
            if hours < cpd_need and c > lr.cpd_shortfall_cap:
                c = lr.cpd_shortfall_cap
                note = _("(CPD %(h)s h < %(n)s h)") % {"h": _n(hours), "n": _n(cpd_need)}
        credit += c
        parts.append(f"{y} {APPRAISAL_LABELS.get(result, result)} {_n(c)}{note}")
    total = degree + uncovered + credit
    words = [
        _("education %(n)s") % {"n": _n(degree)},
        _("service without appraisal %(n)s") % {"n": uncovered},
    ]
    if parts:
        words.append(_("appraisals %(list)s") % {"list": "，".join(parts)})
    return total, words


def _n(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def eligibility(
    facts: LadderFacts,
    lr: LadderRules,
    on: dt.date,
    *,
    translate: Callable[[str], str] = gettext,
) -> Eligibility:
    """``translate`` is ``gettext`` or, for a batch, a :class:`MemoGettext`."""
    _ = translate
    lo, hi = lr.post_ranges.get(facts.post, (1, 12))
    total, words = credited_years(facts, lr, on, translate=translate)
    bump = lr.qual_bump.get(facts.qualification, 0) if lr.qual_mode == "grade_bump" else 0
    due = min(hi, lo + int(total // lr.step_years) + bump)
    explain = _("Credited years %(total)s (%(parts)s)") % {
        "total": _n(total),
        "parts": "；".join(words),
    }
    if bump:
        explain += _(", qualification bump +%(n)s") % {"n": bump}
    explain += _(" → grade due %(due)s, now %(grade)s.") % {"due": due, "grade": facts.grade}
    target = facts.grade + 1
    needed = Decimal(lr.step_years * (target - lo - bump)) - total
    next_step = ""

    def blocked(why: str) -> Eligibility:
        return Eligibility(
            False, facts.grade, facts.grade, due, total, f"{explain} {why}", next_step
        )

    gate = lr.gate_for(target)
    rank, held = _held_rank(facts, lr, on)
    if facts.grade >= hi:
        return blocked(_("Top grade %(hi)s of the post reached.") % {"hi": hi})
    if needed > 0:
        years = math.ceil(needed)
        next_step = _(
            "Grade %(target)s in about %(years)s year(s) (around %(date)s) with 称职 or better "
            "appraisals, enough CPD hours%(gate)s."
        ) % {
            "target": target,
            "years": years,
            "date": rules.add_years(on, years).isoformat(),
            "gate": (_(" and a valid %(code)s") % {"code": gate}) if gate else "",
        }
    if due <= facts.grade:
        return blocked(_("Not yet due for the next grade."))
    last = max((y for y in facts.appraisals if y < on.year), default=None)
    if last is not None and facts.appraisals[last] == "incompetent":
        return blocked(_("Appraisal %(y)s was 不称职.") % {"y": last})
    if gate and rank < lr.level_ranks.get(gate, 0):
        return blocked(
            _(
                "Grade %(target)s needs a valid %(code)s certificate (holds %(held)s); the credit is kept."
            )
            % {"target": target, "code": gate, "held": held or _("none")}
        )
    return Eligibility(
        True,
        facts.grade,
        target,
        due,
        total,
        f"{explain} " + _("Eligible for grade %(target)s.") % {"target": target},
        _("Grade %(target)s at the next review.") % {"target": target},
    )


@dataclass(frozen=True)
class PayEstimate:
    wage: Decimal
    wage_year: int
    wage_effective_from: dt.date
    annual_target: Decimal
    base_monthly: Decimal
    performance_annual: Decimal
    allowance_monthly: Decimal

    @property
    def monthly_total(self) -> Decimal:
        return self.base_monthly + self.allowance_monthly


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def pay_estimate(
    *,
    post: str,
    grade: int,
    qualification: str,
    last_appraisal: str,
    lr: LadderRules,
    wage: Decimal,
    wage_year: int,
    wage_effective_from: dt.date,
) -> PayEstimate:
    """annual target = W × R[post] × (1 + i × (grade − post floor)); 70 % base paid monthly,
    30 % performance by appraisal, plus the qualification allowance in "allowance" mode."""
    lo, _hi = lr.post_ranges.get(post, (1, 12))
    ratio = Decimal(str(lr.post_ratio.get(post, "0.8")))
    annual = wage * ratio * (1 + lr.grade_increment * (grade - lo))
    base = annual * lr.base_share / 12
    perf = (
        annual
        * (1 - lr.base_share)
        * Decimal(str(lr.performance_factor.get(last_appraisal or "competent", 1)))
    )
    allowance = (
        Decimal(str(lr.qual_allowance.get(qualification, 0)))
        if lr.qual_mode == "allowance"
        else Decimal("0")
    )
    return PayEstimate(
        wage=wage,
        wage_year=wage_year,
        wage_effective_from=wage_effective_from,
        annual_target=_money(annual),
        base_monthly=_money(base),
        performance_annual=_money(perf),
        allowance_monthly=_money(allowance),
    )


# --- database side ------------------------------------------------------------------------------


def active_rules():
    """(LadderRules, PayRuleSet) of the newest active rule set, creating the defaults if none."""
    from .defaults import ensure_pay_rules
    from .models import CertificationLevel, PayRuleSet

    rule_set = PayRuleSet.objects.filter(active=True).order_by("-pk").first() or ensure_pay_rules()
    levels = list(CertificationLevel.objects.filter(is_badge=False))
    lr = LadderRules(
        post_ranges={k: (int(v[0]), int(v[1])) for k, v in rule_set.post_ranges.items()},
        step_years=rule_set.step_years,
        degree_years={k: int(v) for k, v in rule_set.degree_years.items()},
        qual_mode=rule_set.qual_mode,
        qual_bump={k: int(v) for k, v in rule_set.qual_bump.items()},
        qual_allowance={k: Decimal(str(v)) for k, v in rule_set.qual_allowance.items()},
        appraisal_credit={k: Decimal(str(v)) for k, v in rule_set.appraisal_credit.items()},
        cpd_shortfall_cap=rule_set.cpd_shortfall_cap,
        cpd_rule_from=rule_set.cpd_rule_from,
        gates=tuple(
            (g.min_grade, g.max_grade, g.level.code)
            for g in rule_set.gates.select_related("level").order_by("min_grade")
        ),
        level_ranks={lv.code: lv.rank for lv in levels},
        level_cpd={lv.code: lv.annual_cpd_hours for lv in levels if lv.annual_cpd_hours},
        post_ratio={k: Decimal(str(v)) for k, v in rule_set.post_ratio.items()},
        grade_increment=rule_set.grade_increment,
        base_share=rule_set.base_share,
        performance_factor={k: Decimal(str(v)) for k, v in rule_set.performance_factor.items()},
    )
    return lr, rule_set


def ladder_facts_for(workers, on: dt.date, lr: LadderRules | None = None) -> dict[int, LadderFacts]:
    """Set-based: certificates, appraisals and yearly CPD for all ``workers`` in a few queries."""
    from . import sources

    workers = list(workers)
    years = range(min((w.service_start_date.year for w in workers), default=on.year), on.year)
    years = [y for y in years if y >= on.year - 10]
    lr = lr or active_rules()[0]
    years = [y for y in years if y >= lr.cpd_rule_from]
    facts = sources.gather(
        workers, on, levels=[], cpd_years=years, parts=("certificates", "appraisals")
    )
    out = {}
    for w in workers:
        f = facts[w.pk]
        out[w.pk] = LadderFacts(
            post=w.post,
            grade=w.grade,
            education=w.education,
            qualification=w.sw_qualification or "",
            service_start=w.service_start_date,
            appraisals=f.appraisals,
            cpd_by_year={
                s.year: h for (s, _e), h in f.cpd_hours.items() if s.month == 1 and s.day == 1
            },
            certificates=f.certificates,
        )
    return out


def eligibility_for(workers, on: dt.date) -> dict[int, Eligibility]:
    lr, _rule_set = active_rules()
    facts = ladder_facts_for(workers, on, lr)
    translate = MemoGettext()
    return {pk: eligibility(f, lr, on, translate=translate) for pk, f in facts.items()}


def current_wage(on: dt.date):
    from .models import WageIndex

    return WageIndex.objects.filter(effective_from__lte=on).order_by("-effective_from").first()

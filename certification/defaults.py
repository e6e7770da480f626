"""Default levels C0–C3 and the 导师 badge (domain.md §5(d)), and the default pay rules.

Created after ``migrate`` when missing, never overwritten: district admins own them afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

C0_COURSES = "POL-101, POL-102, SVC-101, DIG-101, REQ-101, EMG-101"
C1_COURSES = "MED-101, MED-102, SVC-102, DIG-102"
C2_COURSES = "SVC-201, POL-201, MED-201, REQ-201, EMG-201, DIG-201, CASE-200"
C3_COURSES = "LDR-301"

# code, name, rank, badge, validity months, renewable, ends when next, annual CPD, description
LEVELS = [
    ("C0", "上岗合格", 0, False, 18, False, True, "40", "新入职网格员上岗培训合格，有效期至取得 C1 或满 18 个月。"),
    ("C1", "初级网格员", 1, False, 36, True, False, "40", "能独立完成巡查、信息采集、简易纠纷劝解和接诉即办工单。"),
    ("C2", "中级网格员（骨干）", 2, False, 36, True, False, "48", "能协同调处复杂纠纷、组织社区演练、撰写社区工作法案例。"),
    ("C3", "高级网格员（带头人）", 3, False, 36, True, False, "56", "能统筹片区治理、设计制度方案、带教骨干。"),
    ("M", "带教导师", 10, True, 36, True, False, "0", "师带徒带教导师徽章。"),
]  # fmt: skip


def _sim(key, score, purpose="earn", dim="", dim_score=None, group=0, option=0):
    return {
        "kind": "simulation",
        "codes": key,
        "min_score": Decimal(score),
        "dimension": dim,
        "min_dimension_score": Decimal(dim_score) if dim_score else None,
        "purpose": purpose,
        "choice_group": group,
        "choice_option": option,
    }


def _requirements() -> dict[str, list[dict]]:
    r = {}
    r["C0"] = [
        {"kind": "courses", "codes": C0_COURSES},
        _sim("SIM-01", "60"),
        _sim("SIM-02", "60"),
        _sim("SIM-03", "60"),
        {"kind": "cpd_hours", "hours": Decimal(40), "window_months": 12},
    ]
    c1_sims = [
        _sim("SIM-01", "70"),
        _sim("SIM-02", "70"),
        _sim("SIM-03", "75", dim="SAF", dim_score="70"),
    ]
    r["C1"] = [
        {"kind": "level_held", "other": "C0"},
        {"kind": "service_years", "years": Decimal(1)},
        {"kind": "courses", "codes": C1_COURSES},
        *c1_sims,
        {"kind": "attendance", "attendance_kind": "drill", "hours": Decimal(2)},
        {"kind": "cpd_hours", "hours": Decimal(40), "window_months": 12},
        # renewal (domain.md §5(d) recertify)
        {"kind": "cpd_hours", "hours": Decimal(120), "window_months": 36, "purpose": "renew"},
        *[{**s, "purpose": "renew"} for s in c1_sims],
        {"kind": "no_red_line", "window_months": 12, "purpose": "renew"},
        {"kind": "appraisal", "years": Decimal(3), "purpose": "renew"},
    ]
    c2_sims = [
        _sim("SIM-01", "80"),
        _sim("SIM-02", "80"),
        _sim("SIM-03:gas", "80", dim="SAF", dim_score="70"),
    ]
    r["C2"] = [
        {
            "kind": "level_held",
            "other": "C1",
            "years": Decimal(2),
            "choice_group": 1,
            "choice_option": 1,
        },
        {
            "kind": "qualification",
            "qualification": "social_worker",
            "choice_group": 1,
            "choice_option": 2,
        },
        {
            "kind": "level_held",
            "other": "C1",
            "years": Decimal(1),
            "choice_group": 1,
            "choice_option": 2,
        },
        {"kind": "courses", "codes": C2_COURSES},
        *c2_sims,
        {"kind": "attendance", "attendance_kind": "drill", "hours": Decimal(4)},
        {"kind": "case", "review_level": "street"},
        {"kind": "cpd_hours", "hours": Decimal(48), "window_months": 12},
        {"kind": "cpd_hours", "hours": Decimal(144), "window_months": 36, "purpose": "renew"},
        *[{**s, "purpose": "renew"} for s in c2_sims],
        {"kind": "no_red_line", "window_months": 12, "purpose": "renew"},
        {"kind": "appraisal", "years": Decimal(3), "purpose": "renew"},
        {"kind": "case", "review_level": "street", "window_months": 36, "purpose": "renew"},
    ]
    c3_sims = [
        _sim("SIM-01", "85"),
        _sim("SIM-02", "85"),
        _sim("SIM-03:gas", "85", dim="SAF", dim_score="70"),
    ]
    r["C3"] = [
        {
            "kind": "level_held",
            "other": "C2",
            "years": Decimal(3),
            "choice_group": 1,
            "choice_option": 1,
        },
        {"kind": "qualification", "qualification": "senior", "choice_group": 1, "choice_option": 2},
        {
            "kind": "level_held",
            "other": "C2",
            "years": Decimal(2),
            "choice_group": 1,
            "choice_option": 2,
        },
        {"kind": "courses", "codes": C3_COURSES},
        *c3_sims,
        {"kind": "case", "review_level": "district"},
        {"kind": "cpd_hours", "hours": Decimal(56), "window_months": 12},
        {"kind": "cpd_hours", "hours": Decimal(168), "window_months": 36, "purpose": "renew"},
        *[{**s, "purpose": "renew"} for s in c3_sims],
        {"kind": "no_red_line", "window_months": 12, "purpose": "renew"},
        {"kind": "appraisal", "years": Decimal(3), "purpose": "renew"},
        {"kind": "case", "review_level": "district", "window_months": 36, "purpose": "renew"},
    ]
    r["M"] = [
        {"kind": "level_held", "other": "C3", "choice_group": 1, "choice_option": 1},
        {"kind": "level_held", "other": "C2", "choice_group": 1, "choice_option": 2},
        {"kind": "service_years", "years": Decimal(5), "choice_group": 1, "choice_option": 2},
        {"kind": "attendance", "attendance_kind": "case_sharing", "hours": Decimal(8), "window_months": 36, "purpose": "renew"},
    ]  # fmt: skip
    return r


@transaction.atomic
def ensure_levels() -> None:
    from .models import CertificationLevel, LevelRequirement

    if CertificationLevel.objects.exists():
        return
    by_code = {}
    for code, name, rank, badge, months, renewable, ends, cpd, desc in LEVELS:
        by_code[code] = CertificationLevel.objects.create(
            code=code,
            name=name,
            rank=rank,
            is_badge=badge,
            validity_months=months,
            renewable=renewable,
            ends_when_next_issued=ends,
            annual_cpd_hours=Decimal(cpd),
            description=desc,
        )
    for code, reqs in _requirements().items():
        for order, spec in enumerate(reqs):
            spec = dict(spec)
            other = spec.pop("other", None)
            LevelRequirement.objects.create(
                level=by_code[code],
                sort_order=order,
                other_level=by_code[other] if other else None,
                **spec,
            )


@transaction.atomic
def ensure_pay_rules():
    from .models import CertificationLevel, GradeGate, PayRuleSet

    existing = PayRuleSet.objects.filter(active=True).order_by("-pk").first()
    if existing:
        return existing
    ensure_levels()
    rule_set = PayRuleSet.objects.create(name="默认参数（domain.md §5(d)）")
    levels = {lv.code: lv for lv in CertificationLevel.objects.all()}
    for order, (lo, hi, code) in enumerate(
        [(1, 4, "C0"), (5, 8, "C1"), (9, 12, "C2"), (13, 18, "C3")]
    ):
        GradeGate.objects.create(
            rule_set=rule_set, min_grade=lo, max_grade=hi, level=levels[code], sort_order=order
        )
    return rule_set


def ensure_defaults(**kwargs) -> None:
    ensure_levels()
    ensure_pay_rules()

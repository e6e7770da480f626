"""Demo people: one city and district, two streets, four communities, twelve grids, ~60 workers.

Idempotent: everything is looked up by a stable key before it is created, and nothing that
exists is changed, so running ``seed_demo`` twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import (
    AnnualAppraisal,
    Appraisal,
    Education,
    GradeRecord,
    OrgLevel,
    OrgUnit,
    Post,
    SocialWorkQualification,
    User,
    WorkerProfile,
)
from .roles import DISTRICT_ADMIN, HR, LEARNER, REVIEWER, TRAINER, assign_role

DEMO_PASSWORD = "grid-demo-2026"

CITY = ("qc", "青川市")
DISTRICT = ("qc-lj", "临江区")
STREETS = [("qc-lj-la", "柳岸街道"), ("qc-lj-fl", "枫林街道")]
COMMUNITIES = {
    "qc-lj-la": [("qc-lj-la-la", "柳岸社区"), ("qc-lj-la-gy", "桂园社区")],
    "qc-lj-fl": [("qc-lj-fl-fl", "枫林社区"), ("qc-lj-fl-st", "松涛社区")],
}
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "晓梅",
    "建国",
    "丽华",
    "志强",
    "秀英",
    "海燕",
    "文静",
    "国庆",
    "春兰",
    "明辉",
    "雅琴",
    "俊杰",
    "小红",
    "振华",
    "淑芬",
    "宏伟",
    "玉兰",
    "晨曦",
    "思远",
    "佳怡",
    "子涵",
    "立新",
    "桂芳",
    "德胜",
    "美玲",
    "永刚",
    "红霞",
    "家豪",
    "欣然",
    "志明",
    "慧敏",
    "建军",
    "婷婷",
    "浩然",
    "秋菊",
    "向东",
    "雨萱",
    "卫东",
    "静怡",
    "海波",
    "若曦",
    "成刚",
    "玉珍",
    "天宇",
    "梦瑶",
    "国栋",
    "素琴",
    "一鸣",
]
# Posts in one community of 15: 正职 1, 副职 2, 专职委员 2, 一般工作人员 4, 专职网格员 6.
COMMUNITY_POSTS = (
    [Post.CHIEF]
    + [Post.DEPUTY] * 2
    + [Post.COMMITTEE] * 2
    + [Post.GENERAL] * 4
    + [Post.GRID_WORKER] * 6
)
APPRAISAL_WEIGHTS = [
    (Appraisal.EXCELLENT, 2),
    (Appraisal.COMPETENT, 7),
    (Appraisal.BASIC, 1),
]
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def _unit(code: str, name: str, level: str, parent: OrgUnit | None) -> OrgUnit:
    existing = OrgUnit.objects.filter(code=code).first()
    if existing:
        return existing
    if parent is None:
        return OrgUnit.add_root(code=code, name=name, level=level)
    return OrgUnit.objects.get(pk=parent.pk).add_child(code=code, name=name, level=level)


def _fake_id_number(rng: random.Random, birth: dt.date) -> str:
    body = f"9901{rng.randint(10, 99)}{birth:%Y%m%d}{rng.randint(100, 999)}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def build_org_tree() -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    city = _unit(*CITY, OrgLevel.CITY, None)
    district = _unit(*DISTRICT, OrgLevel.DISTRICT, city)
    units[city.code], units[district.code] = city, district
    for street_code, street_name in STREETS:
        street = _unit(street_code, street_name, OrgLevel.STREET, district)
        units[street_code] = street
        for community_code, community_name in COMMUNITIES[street_code]:
            community = _unit(community_code, community_name, OrgLevel.COMMUNITY, street)
            units[community_code] = community
            for i, grid_name in enumerate(GRID_NAMES, start=1):
                code = f"{community_code}-g{i}"
                units[code] = _unit(code, grid_name, OrgLevel.GRID, community)
    return units


_hash_cache: list[str] = []


def _demo_password_hash() -> str:
    """Hash the shared demo password once: hashing is deliberately slow."""
    if not _hash_cache:
        _hash_cache.append(make_password(DEMO_PASSWORD))
    return _hash_cache[0]


def _account(username: str, name: str, roles: list[str], jurisdiction=None, **extra) -> User:
    user = User.objects.filter(username=username).first()
    if user:
        return user
    user = User(username=username, name=name, jurisdiction=jurisdiction, **extra)
    user.password = _demo_password_hash()
    user.save()
    for role in roles:
        assign_role(user, role)
    return user


def _workers(units: dict[str, OrgUnit]) -> None:
    rng = random.Random(20261129)  # fixed seed: the same people every time
    today = dt.date(2026, 11, 1)
    used_names: set[str] = set()
    number = 0
    for street_code, _street in STREETS:
        for community_code, _community in COMMUNITIES[street_code]:
            for slot, post in enumerate(COMMUNITY_POSTS):
                number += 1
                employee_no = f"QC{number:04d}"
                # Names and dates are drawn even when the worker exists, so the sequence stays put.
                while True:
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    if name not in used_names:
                        used_names.add(name)
                        break
                years = {
                    Post.CHIEF: rng.randint(8, 20),
                    Post.DEPUTY: rng.randint(5, 14),
                    Post.COMMITTEE: rng.randint(3, 10),
                    Post.GENERAL: rng.randint(1, 9),
                    Post.GRID_WORKER: rng.randint(0, 7),
                }[post]
                start = dt.date(today.year - years, rng.randint(1, 12), rng.randint(1, 28))
                education = rng.choice(
                    [Education.COLLEGE, Education.BACHELOR, Education.BACHELOR, Education.MASTER]
                    if post in (Post.CHIEF, Post.DEPUTY)
                    else [
                        Education.HIGH_SCHOOL,
                        Education.COLLEGE,
                        Education.COLLEGE,
                        Education.BACHELOR,
                    ]
                )
                qualification = rng.choice(
                    [
                        SocialWorkQualification.NONE,
                        SocialWorkQualification.NONE,
                        SocialWorkQualification.ASSISTANT,
                        SocialWorkQualification.SOCIAL_WORKER,
                    ]
                )
                lo, hi = {
                    Post.CHIEF: (7, 18),
                    Post.DEPUTY: (4, 15),
                    Post.COMMITTEE: (3, 14),
                    Post.GENERAL: (1, 12),
                    Post.GRID_WORKER: (1, 12),
                }[post]
                degree_years = {Education.BACHELOR: 3, Education.MASTER: 5}.get(education, 0)
                grade = min(hi, lo + (years + degree_years) // 3)
                birth = dt.date(
                    today.year - 24 - years - rng.randint(0, 10),
                    rng.randint(1, 12),
                    rng.randint(1, 28),
                )
                id_number = _fake_id_number(rng, birth)
                mobile = f"139{rng.randint(10000000, 99999999)}"
                grid_index = slot % 3 + 1
                unit = (
                    units[f"{community_code}-g{grid_index}"]
                    if post == Post.GRID_WORKER
                    else units[community_code]
                )
                appraisals = [
                    (
                        year,
                        rng.choices(
                            [a for a, _w in APPRAISAL_WEIGHTS], [w for _a, w in APPRAISAL_WEIGHTS]
                        )[0],
                    )
                    for year in (2023, 2024, 2025)
                ]
                username = "demo-learner" if employee_no == "QC0010" else employee_no
                if WorkerProfile.objects.filter(employee_no=employee_no).exists():
                    continue
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User(username=username, name=name, mobile=mobile)
                    user.password = _demo_password_hash()
                    user.save()
                    assign_role(user, LEARNER)
                worker = WorkerProfile.objects.create(
                    user=user,
                    employee_no=employee_no,
                    org_unit=unit,
                    post=post,
                    grade=grade,
                    service_start_date=start,
                    education=education,
                    sw_qualification=qualification,
                    sw_qualification_date=(
                        dt.date(today.year - rng.randint(1, 4), 6, 20) if qualification else None
                    ),
                    id_number=id_number,
                )
                GradeRecord.objects.create(
                    worker=worker,
                    grade=grade,
                    post=post,
                    effective_date=dt.date(2026, 1, 1),
                    reason="年度等级核定",
                )
                AnnualAppraisal.objects.bulk_create(
                    [AnnualAppraisal(worker=worker, year=y, result=r) for y, r in appraisals]
                )


@transaction.atomic
def seed(stdout=None) -> None:
    units = build_org_tree()
    _workers(units)
    _account("demo-trainer", "周敏", [TRAINER, REVIEWER], jurisdiction=units[DISTRICT[0]])
    _account("demo-reviewer", "郑立华", [REVIEWER, TRAINER], jurisdiction=units[DISTRICT[0]])
    _account("demo-hr", "许文静", [HR], jurisdiction=units["qc-lj-la"])
    _account("demo-hr-district", "韩志明", [HR], jurisdiction=units[DISTRICT[0]])
    _account(
        "demo-admin",
        "梁国栋",
        [DISTRICT_ADMIN],
        jurisdiction=units[DISTRICT[0]],
        is_staff=True,
        is_superuser=True,
    )
    if stdout:
        stdout.write(
            f"people: {WorkerProfile.objects.count()} workers in {OrgUnit.objects.count()} org units"
        )

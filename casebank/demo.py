"""Demo case library: 20 cases through the real review workflow, a worker's draft, 有用 marks.

Idempotent: cases are found by slug, the draft by title, marks are unique per person; nothing that
exists is changed. Runs after ``people.demo`` (accounts, org tree) and ``lms.demo`` (HomePage).
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from people.models import OrgUnit, User
from people.roles import LEARNER, REVIEWER, ROLE_GROUP_NAMES, assign_role

from .demo_content import CASES, LAWS, LEARNER_DRAFT
from .factories import build_case
from .models import CaseAcceptance, CasePage, Law
from .search import index_case
from .services import (
    DraftInput,
    approve_case,
    mark_useful,
    reject_case,
    submit_case_draft,
    submit_for_review,
)
from .setup import setup_case_library

STREET_REVIEWER = ("demo-reviewer-street", "彭立新", "qc-lj-la")


def _street_reviewer() -> User | None:
    username, name, unit_code = STREET_REVIEWER
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    unit = OrgUnit.objects.filter(code=unit_code).first()
    trainer = User.objects.filter(username="demo-trainer").first()
    if unit is None or trainer is None:
        return None
    # Same demo password as every other demo account (copied from the trainer's hash).
    user = User.objects.create(username=username, name=name, jurisdiction=unit)
    user.password = trainer.password
    user.save(update_fields=["password"])
    assign_role(user, REVIEWER)
    return user


def _laws() -> dict[str, Law]:
    out = {}
    for key, (name, short_name) in LAWS.items():
        law, _created = Law.objects.get_or_create(name=name, defaults={"short_name": short_name})
        out[key] = law
    return out


def _at(date: str) -> dt.datetime:
    day = dt.date.fromisoformat(date)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _seed_case(spec: dict, index, laws, units, trainer, reviewer, street_reviewer, learner):
    authors = [trainer] + ([learner] if spec.get("coauthor_learner") and learner else [])
    page = build_case(
        index,
        title=spec["title"],
        slug=spec["slug"],
        method_name=spec["method_name"],
        scenario_type=spec["scenario"],
        background=spec["background"],
        steps=spec["steps"],
        outcome=spec["outcome"],
        lessons=spec["lessons"],
        red_lines=spec["red_lines"],
        origin_org_unit=units.get(spec["org"]),
        laws=[(laws[key], article) for key, article in spec["laws"]],
        tags=spec["tags"],
        authors=authors,
        owner=trainer,
    )
    submit_for_review(page, acting_user=trainer)
    state = spec["state"]
    if state in {"street", "district"}:
        approver = street_reviewer if state == "street" and street_reviewer else reviewer
        page = approve_case(page, acting_user=approver)
        when = _at(spec["date"])
        Page.objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)
        CaseAcceptance.objects.filter(case=page).update(accepted_on=when.date())
        index_case(CasePage.objects.get(pk=page.pk))  # the year facet reads the new date
    elif state == "rejected":
        reject_case(page, acting_user=reviewer, comment=spec["comment"])


@transaction.atomic
def seed(stdout=None) -> None:
    home = apps.get_model("lms", "HomePage").objects.first()
    if home is None:
        return
    index = setup_case_library(home)
    trainer = User.objects.filter(username="demo-trainer").first()
    reviewer = User.objects.filter(username="demo-reviewer").first()
    learner = User.objects.filter(username="demo-learner").first()
    if trainer is None or reviewer is None:
        return
    street_reviewer = _street_reviewer()
    laws = _laws()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={c["org"] for c in CASES})}
    existing = set(
        CasePage.objects.filter(slug__in=[c["slug"] for c in CASES]).values_list("slug", flat=True)
    )
    for spec in CASES:
        if spec["slug"] not in existing:
            _seed_case(spec, index, laws, units, trainer, reviewer, street_reviewer, learner)

    if learner is not None and not CasePage.objects.filter(title=LEARNER_DRAFT["title"]).exists():
        submit_case_draft(DraftInput(**LEARNER_DRAFT), acting_user=learner)

    live = list(CasePage.objects.live().order_by("path"))
    markers = list(
        User.objects.filter(groups__name=ROLE_GROUP_NAMES[LEARNER]).order_by("username")[:15]
    )
    for i, person in enumerate(markers):
        for j, case in enumerate(live):
            if (i + 2 * j) % 5 in {0, 1} or (j < 3 and i % 2 == 0):
                mark_useful(case, acting_user=person)
    if stdout:
        stdout.write(
            f"casebank: {CasePage.objects.live().count()} live cases, "
            f"{CasePage.objects.filter(live=False).count()} drafts or in review"
        )

"""Demo for HR: records and dashboards with something to show, and an API token for demo-hr.

Runs after certification's demo. When that demo has issued no certificate in the demo district
(it may not have landed yet), a fixed selection of workers is given C1/C2 certificates through
certification's own service, with issue dates spread so that some expire in the coming months;
each street gets a grade review once. The API token key of ``demo-hr`` is derived from
``SECRET_KEY``, so a second run finds the same token and prints the same key (idempotent).
Refused where ``GA_ALLOW_DEMO_DATA`` is off (production).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from certification.models import Certificate, CertificationLevel, GradeReview
from certification.services import create_grade_review, issue_certificate
from people.models import OrgUnit, User, WorkerProfile

from .feed import sync_feed
from .models import ApiToken
from .tokens import KEY_PREFIX, hash_key

DISTRICT = "qc-lj"
STREETS = ["qc-lj-la", "qc-lj-fl"]


def demo_key() -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:hr-demo-token".encode()).hexdigest()
    return f"{KEY_PREFIX}demo{digest[:40]}"


def _certificates(district: OrgUnit, admin: User) -> int:
    workers = list(
        WorkerProfile.objects.in_subtree(district).select_related("user").order_by("employee_no")
    )
    if Certificate.objects.filter(worker__in=workers).exists():
        return 0
    levels = {lv.code: lv for lv in CertificationLevel.objects.filter(code__in=["C1", "C2"])}
    if "C1" not in levels:
        return 0
    issued = 0
    for i, worker in enumerate(workers):
        if i % 5 == 4:
            continue  # one in five holds nothing yet
        on = dt.date(2024 + (i % 3), 1 + (i * 7) % 12, 1 + (i * 5) % 27)
        level = (
            levels["C2"] if "C2" in levels and worker.post in ("chief", "deputy") else levels["C1"]
        )
        _cert, created = issue_certificate(worker, level, acting_user=admin, on=on)
        issued += created
    return issued


def _reviews(admin: User) -> int:
    made = 0
    for code in STREETS:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or GradeReview.objects.filter(org_unit=unit).exists():
            continue
        create_grade_review(unit, timezone.localdate(), acting_user=admin)
        made += 1
    return made


def _token(admin: User) -> str | None:
    hr = User.objects.filter(username="demo-hr").select_related("jurisdiction").first()
    if hr is None or hr.jurisdiction is None:
        return None
    key = demo_key()
    if not ApiToken.objects.filter(key_hash=hash_key(key)).exists():
        ApiToken.objects.create(
            name="demo-hr",
            prefix=key[:10],
            key_hash=hash_key(key),
            org_unit=hr.jurisdiction,
            created_by=admin,
        )
    return key


@transaction.atomic
def seed(stdout=None) -> None:
    if not getattr(settings, "GA_ALLOW_DEMO_DATA", False):
        raise ImproperlyConfigured("HR demo data is refused under these settings.")
    district = OrgUnit.objects.filter(code=DISTRICT).first()
    admin = User.objects.filter(username="demo-admin").first()
    if district is None or admin is None:
        return
    issued = _certificates(district, admin)
    reviews = _reviews(admin)
    sync_feed()
    key = _token(admin)
    if stdout:
        stdout.write(f"hr: {issued} demo certificates, {reviews} grade reviews")
        if key:
            stdout.write(
                f"hr: API token for demo-hr (柳岸街道): {key}\n"
                f"    curl -H 'Authorization: Bearer {key}' http://127.0.0.1:8000/api/v1/workers/"
            )

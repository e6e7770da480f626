"""Demo certification data: workers at every stage, a wage index, a pending grade review.

Certificates are issued through ``services.issue_certificate`` with past dates (the demo's
course, exam and simulation history is younger than the certificates it stands for), so
every row looks exactly like one the platform issued. Idempotent: a certificate that exists
for a worker and level is never issued again; the review and wages are looked up first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from people.models import OrgUnit, User, WorkerProfile

from . import services
from .defaults import ensure_defaults
from .models import Certificate, CertificationLevel, GradeReview, WageIndex

STREET = "qc-lj-la"  # 柳岸街道: the pending grade review
WAGES = [
    (2024, Decimal("114600"), dt.date(2025, 7, 1)),
    (2025, Decimal("120000"), dt.date(2026, 7, 1)),
]
# (employee number, [(level, days ago)], what the worker shows)
STAGES = [
    ("QC0010", [("C0", 200)], "holds C0, working towards C1 (demo-learner)"),
    ("QC0011", [("C0", 100)], "holds C0"),
    ("QC0012", [("C0", 800), ("C1", 400)], "holds C1"),
    ("QC0013", [("C0", 900), ("C1", 500)], "holds C1 (revoked)"),
    ("QC0014", [("C0", 1500), ("C1", 3 * 365 - 25)], "C1 expiring in about 25 days"),
    ("QC0015", [("C0", 1600), ("C1", 3 * 365 + 40)], "C1 expired 40 days ago"),
    ("QC0031", [("C0", 1800), ("C1", 1300), ("C2", 300)], "holds C2"),
]
REVOKED = ("QC0013", "C1", "经核查，线下演练签到记录系他人代签，撤销该证书。")


def _issue(worker, level, days_ago: int, today: dt.date) -> Certificate | None:
    if Certificate.objects.filter(worker=worker, level=level).exists():
        return None
    cert, _created = services.issue_certificate(
        worker, level, acting_user=None, on=today - dt.timedelta(days=days_ago)
    )
    return cert


def _gate_code(grade: int) -> str:
    return "C0" if grade <= 4 else "C1" if grade <= 8 else "C2" if grade <= 12 else "C3"


@transaction.atomic
def seed(stdout=None) -> None:
    ensure_defaults()
    today = timezone.localdate()
    levels = {lv.code: lv for lv in CertificationLevel.objects.all()}
    for year, amount, effective in WAGES:
        WageIndex.objects.get_or_create(
            year=year,
            defaults={
                "amount": amount,
                "effective_from": effective,
                "source": "示例数据（非真实统计），部署时请按当地统计局公布数据录入",
            },
        )
    workers = {
        w.employee_no: w
        for w in WorkerProfile.objects.select_related("user", "org_unit").filter(
            employee_no__startswith="QC"
        )
    }
    issued = 0
    for employee_no, steps, _what in STAGES:
        worker = workers.get(employee_no)
        if worker is None:
            continue
        for code, days_ago in steps:
            if _issue(worker, levels[code], days_ago, today):
                issued += 1

    admin = User.objects.filter(username="demo-admin").first()
    employee_no, code, reason = REVOKED
    target = Certificate.objects.filter(
        worker__employee_no=employee_no, level__code=code, revoked_on__isnull=True
    ).first()
    if target is not None and admin is not None:
        services.revoke_certificate(target, reason=reason, acting_user=admin)

    # Grade review: the first three qualified workers of 柳岸街道 hold the certificate their
    # next grade needs (eligible); the other qualified workers hold none (blocked, with reason).
    street = OrgUnit.objects.filter(code=STREET).first()
    if street is not None and admin is not None:
        qualified = sorted(
            (
                w
                for w in workers.values()
                if w.sw_qualification and w.org_unit.path.startswith(street.path)
            ),
            key=lambda w: w.employee_no,
        )
        for worker in qualified[:3]:
            gate = _gate_code(worker.grade + 1)
            chain = ["C0", "C1", "C2", "C3"][: ["C0", "C1", "C2", "C3"].index(gate) + 1]
            for i, c in enumerate(chain):
                if _issue(worker, levels[c], 400 * (len(chain) - i), today):
                    issued += 1
        review_date = dt.date(today.year + 1, 1, 1)
        if not GradeReview.objects.filter(org_unit=street, review_date=review_date).exists():
            services.create_grade_review(street, review_date, acting_user=admin)
    services.send_expiry_reminders(today)
    # settle: issue whatever the staged history makes due now (e.g. the 导师 badge)
    services.sweep_due(today)
    if stdout:
        stdout.write(
            f"certification: {Certificate.objects.count()} certificates ({issued} new), "
            f"{GradeReview.objects.count()} grade review(s)"
        )

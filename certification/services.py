"""Every write of the certification app: issuing, renewing, revoking, reminding, grade reviews.

Views, admin, tasks and the demo seeder all call these. Exactly-once issuance rests on two
things: the worker's row is locked while the decision is taken (PostgreSQL), and
``UniqueConstraint(worker, level, cycle)`` turns any duplicate that still slips through
(SQLite, a retried task, a second worker) into a no-op.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from people.access import can_see_worker
from people.models import User, WorkerProfile
from people.roles import DISTRICT_ADMIN, has_role
from people.services import change_grade

from . import ladder, rules, sources
from .models import (
    Certificate,
    CertificateEvent,
    CertificationLevel,
    ExpiryReminder,
    GradeReview,
    GradeReviewItem,
    Notification,
)

logger = logging.getLogger(__name__)

REMINDER_DAYS = (90, 30, 7)


def new_verification_code() -> str:
    """80 random bits in Crockford-free base32 (16 characters, no padding): not guessable."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


def can_manage_certificates(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or has_role(user, DISTRICT_ADMIN))
    )


def notify(user: User, message: str, url: str = "", *, email_subject: str = "") -> Notification:
    """In-site notification, plus an email when the user has an address."""
    notice = Notification.objects.create(user=user, message=message[:300], url=url)
    if email_subject and user.email:
        body = message + (f"\n{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}" if url else "")

        def _send():
            try:
                send_mail(email_subject, body, None, [user.email])
            except OSError:
                logger.warning("certification: reminder email to user %s failed", user.pk)

        transaction.on_commit(_send)
    return notice


def _expiry(level: CertificationLevel, valid_from: dt.date) -> dt.date | None:
    if not level.validity_months:
        return None
    return rules.add_months(valid_from, level.validity_months) - dt.timedelta(days=1)


@transaction.atomic
def issue_certificate(
    worker: WorkerProfile,
    level: CertificationLevel,
    *,
    acting_user: User | None,
    on: dt.date | None = None,
    purpose: str = "earn",
    basis: list[str] | None = None,
) -> tuple[Certificate, bool]:
    """Issue the next cycle of ``level`` to ``worker``; (certificate, created).

    A renewal continues the chain: it starts the day after the old one expires (or today, when
    renewed in the grace period), keeps ``held_since``, and marks the old one 已被更新.
    """
    on = on or timezone.localdate()
    if acting_user is not None and not (
        can_manage_certificates(acting_user) and can_see_worker(acting_user, worker)
    ):
        raise PermissionDenied
    locked = WorkerProfile.objects.select_for_update().select_related("user").get(pk=worker.pk)
    mine = Certificate.objects.filter(worker=locked, level=level)
    previous = mine.order_by("-cycle").first()
    cycle = (mine.aggregate(m=Max("cycle"))["m"] or 0) + 1
    valid_from = on
    held_since = on
    renewal_of = None
    if purpose == "renew" and previous is not None and previous.revoked_on is None:
        renewal_of = previous
        held_since = previous.held_since
        if previous.expires_on is not None and previous.expires_on >= on:
            valid_from = previous.expires_on + dt.timedelta(days=1)
    cert = Certificate(
        worker=locked,
        level=level,
        cycle=cycle,
        number=f"tmp-{secrets.token_hex(6)}",
        verification_code=new_verification_code(),
        holder_name=locked.name,
        issuing_body=settings.GA_ISSUING_BODY,
        issued_on=on,
        valid_from=valid_from,
        expires_on=_expiry(level, valid_from),
        held_since=held_since,
        renewal_of=renewal_of,
        basis=basis or [],
    )
    try:
        with transaction.atomic():
            cert.save()
    except IntegrityError:
        existing = Certificate.objects.get(worker=locked, level=level, cycle=cycle)
        return existing, False
    cert.number = f"GA-{on.year}-{cert.pk:06d}"
    cert.save(update_fields=["number"])
    CertificateEvent.objects.create(
        certificate=cert,
        kind=CertificateEvent.Kind.ISSUED,
        on=on,
        by=acting_user,
        note=_("Renewal of %(n)s") % {"n": renewal_of.number} if renewal_of else "",
    )
    if renewal_of is not None:
        _supersede(renewal_of, cert, on, acting_user)
    if not level.is_badge:
        lower = Certificate.objects.filter(
            worker=locked,
            level__ends_when_next_issued=True,
            level__is_badge=False,
            level__rank__lt=level.rank,
            superseded_on__isnull=True,
            revoked_on__isnull=True,
        ).select_related("level")
        for old in lower:
            _supersede(old, cert, on, acting_user)
    log(
        cert,
        "certification.issued",
        user=acting_user,
        data={
            "number": cert.number,
            "level": level.code,
            "cycle": cycle,
            "worker": locked.pk,
            "purpose": purpose,
        },
    )
    notify(
        locked.user,
        _("Certificate %(level)s %(name)s issued (%(number)s).")
        % {"level": level.code, "name": level.name, "number": cert.number},
        reverse("certification:my_certificates"),
    )
    return cert, True


def _supersede(old: Certificate, new: Certificate, on: dt.date, acting_user) -> None:
    old.superseded_on = on
    old.superseded_by = new
    old.save(update_fields=["superseded_on", "superseded_by"])
    CertificateEvent.objects.create(
        certificate=old,
        kind=CertificateEvent.Kind.SUPERSEDED,
        on=on,
        by=acting_user,
        note=_("Superseded by %(n)s") % {"n": new.number},
    )
    log(old, "certification.superseded", user=acting_user, data={"by": new.number})


def evaluate_and_issue(worker_id: int, *, on: dt.date | None = None) -> list[Certificate]:
    """Evaluate every level for one worker and issue what is due. Safe to run any number of
    times, concurrently too: it decides under a row lock and the unique constraint holds."""
    on = on or timezone.localdate()
    issued: list[Certificate] = []
    levels = sources.level_specs()
    by_code = {lv.code: lv for lv in CertificationLevel.objects.all()}
    catalogue = sources.catalogue()
    # Issuing one level can make the next due (C0 → C1 on the same day): loop until quiet.
    for _round in range(len(levels) + 1):
        with transaction.atomic():
            worker = (
                WorkerProfile.objects.select_for_update()
                .select_related("user")
                .filter(pk=worker_id)
                .first()
            )
            if worker is None:
                return issued
            facts = sources.gather([worker], on, levels)[worker.pk]
            actions = rules.due_actions(levels, facts, on, catalogue)
            if not actions:
                return issued
            created_any = False
            for action in actions:
                cert, created = issue_certificate(
                    worker,
                    by_code[action.level],
                    acting_user=None,
                    on=on,
                    purpose=action.purpose,
                    basis=[s.progress for s in action.evaluation.statuses if s.met],
                )
                if created:
                    issued.append(cert)
                    created_any = True
            if not created_any:
                return issued
    return issued


def revoke_certificate(certificate: Certificate, *, reason: str, acting_user: User) -> Certificate:
    """Revoke with a reason (district admin of the holder's jurisdiction). Never deletes."""
    reason = (reason or "").strip()
    if not (
        can_manage_certificates(acting_user) and can_see_worker(acting_user, certificate.worker)
    ):
        raise PermissionDenied
    if not reason:
        raise ValidationError(_("Give a reason for the revocation."))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_on is not None:
            raise ValidationError(_("This certificate is already revoked."))
        today = timezone.localdate()
        locked.revoked_on = today
        locked.revoked_reason = reason[:300]
        locked.revoked_by = acting_user
        locked.save(update_fields=["revoked_on", "revoked_reason", "revoked_by"])
        CertificateEvent.objects.create(
            certificate=locked,
            kind=CertificateEvent.Kind.REVOKED,
            on=today,
            by=acting_user,
            note=reason[:300],
        )
        log(
            locked,
            "certification.revoked",
            user=acting_user,
            data={"number": locked.number, "reason": reason},
        )
        notify(
            locked.worker.user,
            _("Certificate %(number)s was revoked: %(reason)s")
            % {"number": locked.number, "reason": reason},
            reverse("certification:my_certificates"),
        )
    return locked


def send_expiry_reminders(on: dt.date | None = None) -> int:
    """Remind holders 90, 30 and 7 days before expiry; each threshold is sent once.

    When several thresholds are due at once (a certificate issued 20 days before its expiry,
    or a beat that was down), only the most urgent is sent and the others are recorded as
    replaced, so nobody gets three messages in one day.
    """
    on = on or timezone.localdate()
    horizon = on + dt.timedelta(days=max(REMINDER_DAYS))
    candidates = (
        Certificate.objects.filter(
            expires_on__gte=on,
            expires_on__lte=horizon,
            revoked_on__isnull=True,
            superseded_on__isnull=True,
        )
        .select_related("level", "worker__user")
        .prefetch_related("reminders")
    )
    sent = 0
    for cert in candidates:
        done = {r.days_before for r in cert.reminders.all()}
        due = [d for d in REMINDER_DAYS if cert.expires_on - dt.timedelta(days=d) <= on]
        pending = [d for d in due if d not in done]
        if not pending:
            continue
        urgent = min(pending)
        try:
            with transaction.atomic():
                for d in pending:
                    ExpiryReminder.objects.create(
                        certificate=cert, days_before=d, sent_on=on, delivered=d == urgent
                    )
                days_left = (cert.expires_on - on).days
                message = _(
                    "Your certificate %(level)s (%(number)s) expires on %(date)s, in %(days)s "
                    "days. Meet the renewal requirements to renew it."
                ) % {
                    "level": cert.level.name,
                    "number": cert.number,
                    "date": cert.expires_on.isoformat(),
                    "days": days_left,
                }
                notify(
                    cert.worker.user,
                    message,
                    reverse("certification:my_certificates"),
                    email_subject=_("Certificate expiry reminder"),
                )
                CertificateEvent.objects.create(
                    certificate=cert,
                    kind=CertificateEvent.Kind.REMINDED,
                    on=on,
                    note=_("%(days)s-day reminder") % {"days": urgent},
                )
        except IntegrityError:
            continue  # another beat run got there first
        sent += 1
    return sent


def sweep_due(on: dt.date | None = None, *, batch: int = 500) -> int:
    """Find every worker with a certificate due (a renewal window that opened, a case accepted
    since the last event) with set-based evaluation, and queue one evaluation each."""
    from .progress import evaluate_many
    from .tasks import evaluate_worker

    on = on or timezone.localdate()
    queued = 0
    ids = list(WorkerProfile.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        workers = WorkerProfile.objects.filter(pk__in=ids[start : start + batch]).select_related(
            "user"
        )
        for worker_id, verdict in evaluate_many(workers, on).items():
            if verdict.due:
                evaluate_worker.delay(worker_id)
                queued += 1
    return queued


# --- grade reviews --------------------------------------------------------------------------


@dataclass
class ReviewSummary:
    review: GradeReview
    eligible: int
    blocked: int


def create_grade_review(org_unit, review_date: dt.date, *, acting_user: User) -> ReviewSummary:
    """Compute eligibility for every worker of ``org_unit``'s subtree on ``review_date``."""
    from people.access import can_see_org_unit

    if not (can_manage_certificates(acting_user) and can_see_org_unit(acting_user, org_unit)):
        raise PermissionDenied
    workers = list(WorkerProfile.objects.in_subtree(org_unit).with_related())
    results = ladder.eligibility_for(workers, review_date)
    with transaction.atomic():
        review = GradeReview.objects.create(
            org_unit=org_unit, review_date=review_date, created_by=acting_user
        )
        GradeReviewItem.objects.bulk_create(
            [
                GradeReviewItem(
                    review=review,
                    worker=w,
                    current_grade=w.grade,
                    proposed_grade=results[w.pk].proposed_grade,
                    eligible=results[w.pk].eligible,
                    reason=results[w.pk].reason,
                )
                for w in workers
            ]
        )
        log(
            review,
            "certification.review_created",
            user=acting_user,
            data={"org_unit": org_unit.pk, "review_date": review_date.isoformat()},
        )
    eligible = sum(1 for r in results.values() if r.eligible)
    return ReviewSummary(review=review, eligible=eligible, blocked=len(workers) - eligible)


def decide_review_items(
    review: GradeReview,
    item_ids: list[int],
    *,
    approve: bool,
    acting_user: User,
    note: str = "",
) -> int:
    """Approve (grade history + audit via ``people.services.change_grade``) or reject in bulk.

    Only pending items of workers in the acting user's jurisdiction are touched; approving an
    item that is not eligible is refused. All or nothing.
    """
    if not can_manage_certificates(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        items = list(
            GradeReviewItem.objects.select_for_update()
            .filter(review=review, pk__in=item_ids, decision=GradeReviewItem.Decision.PENDING)
            .select_related("worker__org_unit", "worker__user")
        )
        if not items:
            raise ValidationError(_("Select at least one pending worker."))
        for item in items:
            if not can_see_worker(acting_user, item.worker):
                raise PermissionDenied
            if approve and not item.eligible:
                raise ValidationError(
                    _("%(name)s is not eligible and cannot be approved.")
                    % {"name": item.worker.name}
                )
        now = timezone.now()
        for item in items:
            if approve:
                if item.worker.grade != item.current_grade:
                    raise ValidationError(
                        _("%(name)s's grade changed since the review was computed; run it again.")
                        % {"name": item.worker.name}
                    )
                change_grade(
                    item.worker,
                    grade=item.proposed_grade,
                    effective_date=review.review_date,
                    reason=(
                        _("Grade review %(date)s: %(reason)s")
                        % {"date": review.review_date.isoformat(), "reason": item.reason}
                    )[:200],
                    acting_user=acting_user,
                )
            item.decision = (
                GradeReviewItem.Decision.APPROVED if approve else GradeReviewItem.Decision.REJECTED
            )
            item.decided_by = acting_user
            item.decided_at = now
            item.decision_note = note[:300]
            item.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
            log(
                item.worker,
                "certification.grade_approved" if approve else "certification.grade_rejected",
                user=acting_user,
                data={
                    "review": review.pk,
                    "from_grade": item.current_grade,
                    "to_grade": item.proposed_grade,
                    "note": note,
                },
            )
    return len(items)

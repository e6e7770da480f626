"""Recording the certification event feed from the facts certification and people keep.

Each source fact maps to at most one ``FeedEvent`` (``source`` is unique), so recording is
idempotent: the signal receivers record as things happen, and ``sync_feed`` (daily task, demo)
fills in whatever is missing and adds expiries, which happen by the calendar, not by a write.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certification.models import Certificate, CertificateEvent
from people.models import WorkerProfile

from .models import FeedEvent


def _record(source: str, **fields) -> bool:
    if FeedEvent.objects.filter(source=source).exists():
        return False
    try:
        with transaction.atomic():
            FeedEvent.objects.create(source=source, **fields)
    except IntegrityError:
        return False
    return True


def record_certificate_event(event: CertificateEvent) -> bool:
    cert = event.certificate
    if event.kind == CertificateEvent.Kind.ISSUED:
        kind = FeedEvent.Kind.RENEWED if cert.renewal_of_id else FeedEvent.Kind.ISSUED
    elif event.kind == CertificateEvent.Kind.REVOKED:
        kind = FeedEvent.Kind.REVOKED
    else:
        return False
    return _record(
        f"ce:{event.pk}",
        kind=kind,
        worker_id=cert.worker_id,
        certificate=cert,
        occurred_on=event.on,
        data={"number": cert.number, "level": cert.level.code},
    )


def record_grade_change(entry: ModelLogEntry) -> bool:
    """``people.change_grade`` writes a ``people.grade_changed`` audit entry with the before
    and after: that entry (not the grade record, which roster imports also write for a new
    worker's first grade) is the fact a grade changed."""
    if entry.action != "people.grade_changed":
        return False
    data = entry.data or {}
    try:
        worker_id = int(entry.object_id)
        occurred = dt.date.fromisoformat(data.get("effective_date", ""))
    except (TypeError, ValueError):
        return False
    if not WorkerProfile.objects.filter(pk=worker_id).exists():
        return False
    return _record(
        f"log:{entry.pk}",
        kind=FeedEvent.Kind.GRADE_CHANGED,
        worker_id=worker_id,
        occurred_on=occurred,
        data={k: data.get(k) for k in ("from_grade", "to_grade", "from_post", "to_post")},
    )


def record_expiries(on: dt.date | None = None) -> int:
    """Certificates whose validity ended before ``on`` without renewal or revocation."""
    on = on or timezone.localdate()
    recorded = 0
    done = FeedEvent.objects.filter(kind=FeedEvent.Kind.EXPIRED).values("certificate_id")
    expired = (
        Certificate.objects.filter(
            expires_on__lt=on, revoked_on__isnull=True, superseded_on__isnull=True
        )
        .exclude(pk__in=done)
        .select_related("level")
        .order_by("expires_on", "pk")
    )
    for cert in expired.iterator(chunk_size=500):
        recorded += _record(
            f"exp:{cert.pk}",
            kind=FeedEvent.Kind.EXPIRED,
            worker_id=cert.worker_id,
            certificate=cert,
            occurred_on=cert.expires_on + dt.timedelta(days=1),
            data={"number": cert.number, "level": cert.level.code},
        )
    return recorded


def sync_feed(on: dt.date | None = None) -> int:
    """Record every feed event still missing, oldest first. Safe to run any number of times."""
    recorded = 0
    done = set(FeedEvent.objects.filter(source__startswith="ce:").values_list("source", flat=True))
    events = (
        CertificateEvent.objects.filter(
            kind__in=[CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.REVOKED]
        )
        .select_related("certificate__level")
        .order_by("created_at", "pk")
    )
    for event in events.iterator(chunk_size=500):
        if f"ce:{event.pk}" not in done:
            recorded += record_certificate_event(event)
    done = set(FeedEvent.objects.filter(source__startswith="log:").values_list("source", flat=True))
    entries = ModelLogEntry.objects.filter(action="people.grade_changed").order_by("pk")
    for entry in entries.iterator(chunk_size=500):
        if f"log:{entry.pk}" not in done:
            recorded += record_grade_change(entry)
    recorded += record_expiries(on)
    return recorded

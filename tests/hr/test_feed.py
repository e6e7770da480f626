import datetime as dt

import pytest

from certification.hr.feed import record_expiries, sync_feed
from certification.hr.models import FeedEvent
from certification.services import issue_certificate, revoke_certificate
from people.services import change_grade

pytestmark = pytest.mark.django_db


def kinds(worker):
    return list(FeedEvent.objects.filter(worker=worker).values_list("kind", flat=True))


def test_lifecycle_becomes_feed_events(worker_a, level_c1, district_admin):
    cert, _ = issue_certificate(worker_a, level_c1, acting_user=None, on=dt.date(2023, 1, 1))
    assert kinds(worker_a) == ["issued"]
    issue_certificate(
        worker_a, level_c1, acting_user=None, on=dt.date(2025, 11, 1), purpose="renew"
    )
    assert kinds(worker_a) == ["issued", "renewed"]
    renewed = worker_a.certificates.order_by("-cycle").first()
    revoke_certificate(renewed, reason="违规", acting_user=district_admin)
    change_grade(
        worker_a, grade=5, effective_date=dt.date(2026, 1, 1), reason="x", acting_user=None
    )
    assert kinds(worker_a) == ["issued", "renewed", "revoked", "grade_changed"]
    grade = FeedEvent.objects.get(kind="grade_changed")
    assert grade.data["to_grade"] == 5


def test_expiry_is_recorded_once(worker_a, level_c1):
    cert, _ = issue_certificate(worker_a, level_c1, acting_user=None, on=dt.date(2020, 1, 1))
    assert record_expiries(dt.date(2022, 12, 31)) == 0
    assert record_expiries(dt.date(2023, 1, 1)) == 1
    assert record_expiries(dt.date(2023, 6, 1)) == 0
    event = FeedEvent.objects.get(kind="expired")
    assert event.occurred_on == cert.expires_on + dt.timedelta(days=1)


def test_sync_feed_is_idempotent_and_fills_gaps(worker_a, level_c1):
    issue_certificate(worker_a, level_c1, acting_user=None, on=dt.date(2025, 1, 1))
    FeedEvent.objects.all().delete()
    assert sync_feed() == 1
    assert sync_feed() == 0
    assert kinds(worker_a) == ["issued"]


def test_sync_task_backfills_grade_changes(worker_a):
    from certification.hr import tasks

    change_grade(
        worker_a, grade=6, effective_date=dt.date(2026, 1, 1), reason="x", acting_user=None
    )
    FeedEvent.objects.all().delete()
    tasks.sync_feed.delay()
    event = FeedEvent.objects.get()
    assert event.kind == "grade_changed" and event.occurred_on == dt.date(2026, 1, 1)
    assert event.data["to_grade"] == 6
    tasks.sync_feed.delay()
    assert FeedEvent.objects.count() == 1


def test_roster_first_grade_is_not_a_change(org, district_admin):
    from people.factories import WorkerProfileFactory
    from people.models import GradeRecord

    worker = WorkerProfileFactory(org_unit=org.grid_a1)
    GradeRecord.objects.create(
        worker=worker, grade=3, post=worker.post, effective_date=dt.date(2026, 1, 1), reason="导入"
    )
    assert sync_feed() == 0

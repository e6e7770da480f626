"""Issuance exactly once: services, the task, events from courses, concurrency."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certification import rules, services
from certification.models import Certificate, CertificateEvent, Notification
from certification.tasks import evaluate_worker


def test_met_level_issues_once_with_number_and_code(worker, simple_level, credit):
    credit(worker.user, 8)
    issued = services.evaluate_and_issue(worker.pk)
    assert [c.level.code for c in issued] == ["T1"]
    cert = issued[0]
    today = timezone.localdate()
    assert cert.number == f"GA-{today.year}-{cert.pk:06d}"
    assert len(cert.verification_code) == 16  # 80 random bits, base32
    assert cert.holder_name == "陈思远"
    assert cert.valid_from == today
    assert cert.expires_on == rules.add_months(today, 36) - dt.timedelta(days=1)
    assert services.evaluate_and_issue(worker.pk) == []
    assert Certificate.objects.filter(worker=worker).count() == 1
    assert ModelLogEntry.objects.filter(action="certification.issued").count() == 1
    assert Notification.objects.filter(user=worker.user).count() == 1


def test_unmet_level_issues_nothing(worker, simple_level, credit):
    credit(worker.user, 7.5)
    assert services.evaluate_and_issue(worker.pk) == []


def test_verification_codes_are_random(worker, simple_level):
    codes = {services.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 16 for c in codes)


def test_task_is_idempotent_and_quiet_for_missing_worker(worker, simple_level, credit):
    credit(worker.user, 10)
    first = evaluate_worker.delay(worker.pk).get()
    second = evaluate_worker.delay(worker.pk).get()
    assert len(first) == 1
    assert second == []
    assert evaluate_worker.delay(999999).get() == []
    assert evaluate_worker.acks_late is True


def test_hours_credited_signal_enqueues_after_commit(
    worker, simple_level, credit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        credit(worker.user, 8)
    assert callbacks, "the evaluation waits for the commit"
    assert Certificate.objects.filter(worker=worker, level=simple_level).count() == 1
    # a duplicate event issues nothing more
    with django_capture_on_commit_callbacks(execute=True):
        credit(worker.user, 1)
    assert Certificate.objects.filter(worker=worker).count() == 1


def test_nothing_issued_when_the_transaction_rolls_back(worker, simple_level, credit):
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        credit(worker.user, 8)
        raise Boom
    assert not Certificate.objects.exists()


def test_duplicate_cycle_is_a_no_op(worker, simple_level):
    cert, created = services.issue_certificate(worker, simple_level, acting_user=None)
    assert created
    # a second issuer that decided on the same cycle (simulated by the constraint) gets the row
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            worker=worker,
            level=simple_level,
            cycle=cert.cycle,
            number="dup",
            verification_code="DUP",
            holder_name="x",
            issuing_body="x",
            issued_on=cert.issued_on,
            valid_from=cert.valid_from,
            held_since=cert.held_since,
        )


def test_c1_supersedes_c0(worker, level_c0, level_c1):
    c0, _ = services.issue_certificate(worker, level_c0, acting_user=None)
    c1, _ = services.issue_certificate(worker, level_c1, acting_user=None)
    c0.refresh_from_db()
    assert c0.superseded_by == c1
    assert c0.status == "superseded"
    assert not c0.valid_on(timezone.localdate())
    assert c1.status == "valid"


def test_renewal_continues_the_chain(worker, simple_level, credit):
    today = timezone.localdate()
    old, _ = services.issue_certificate(
        worker, simple_level, acting_user=None, on=today - dt.timedelta(days=365 * 3 - 30)
    )
    assert old.expires_on - today < dt.timedelta(days=90)
    credit(worker.user, 8)
    issued = services.evaluate_and_issue(worker.pk)
    assert len(issued) == 1
    new = issued[0]
    old.refresh_from_db()
    assert new.renewal_of == old
    assert new.cycle == 2
    assert new.valid_from == old.expires_on + dt.timedelta(days=1)
    assert new.held_since == old.held_since
    assert old.status == "superseded"
    assert old.valid_on(today)  # still valid until its own expiry
    assert services.evaluate_and_issue(worker.pk) == []


def test_revoke_by_district_admin_with_reason(worker, simple_level, district_admin):
    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None)
    with pytest.raises(ValidationError):
        services.revoke_certificate(cert, reason="  ", acting_user=district_admin)
    services.revoke_certificate(cert, reason="材料造假", acting_user=district_admin)
    cert.refresh_from_db()
    assert cert.status == "revoked"
    assert cert.revoked_reason == "材料造假"
    assert Certificate.objects.filter(pk=cert.pk).exists()
    entry = ModelLogEntry.objects.get(action="certification.revoked")
    assert entry.user_id == district_admin.pk
    assert entry.data["reason"] == "材料造假"
    assert CertificateEvent.objects.filter(certificate=cert, kind="revoked").exists()
    with pytest.raises(ValidationError):
        services.revoke_certificate(cert, reason="again", acting_user=district_admin)


def test_revoke_denied_for_hr_learner_and_other_jurisdiction(
    worker, simple_level, hr_district, learner, org
):
    from people.factories import UserFactory
    from people.roles import DISTRICT_ADMIN

    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None)
    admin_b = UserFactory(username="admin-b", roles=[DISTRICT_ADMIN], jurisdiction=org.street_b)
    for user in (hr_district, learner, admin_b):
        with pytest.raises(PermissionDenied):
            services.revoke_certificate(cert, reason="x", acting_user=user)
    cert.refresh_from_db()
    assert cert.revoked_on is None


def test_revoked_level_is_not_reissued_automatically(worker, simple_level, credit, district_admin):
    credit(worker.user, 8)
    [cert] = services.evaluate_and_issue(worker.pk)
    services.revoke_certificate(cert, reason="违规", acting_user=district_admin)
    assert services.evaluate_and_issue(worker.pk) == []


def test_status_history_answers_valid_on_date(worker, simple_level, district_admin):
    start = timezone.localdate() - dt.timedelta(days=100)
    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None, on=start)
    services.revoke_certificate(cert, reason="违规", acting_user=district_admin)
    cert.refresh_from_db()
    assert not cert.valid_on(start - dt.timedelta(days=1))
    assert cert.valid_on(start)
    assert cert.valid_on(timezone.localdate() - dt.timedelta(days=1))
    assert not cert.valid_on(timezone.localdate())
    assert cert.status_on(start) == "valid"


def test_reminders_90_30_7_each_once(
    worker, simple_level, mailoutbox, django_capture_on_commit_callbacks
):
    worker.user.email = "chen@example.cn"
    worker.user.save()
    today = timezone.localdate()
    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None, on=today)
    expires = cert.expires_on
    assert services.send_expiry_reminders(expires - dt.timedelta(days=91)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_reminders(expires - dt.timedelta(days=90)) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["chen@example.cn"]
    assert "到期" in mailoutbox[0].subject
    assert services.send_expiry_reminders(expires - dt.timedelta(days=89)) == 0
    assert services.send_expiry_reminders(expires - dt.timedelta(days=30)) == 1
    assert services.send_expiry_reminders(expires - dt.timedelta(days=7)) == 1
    assert services.send_expiry_reminders(expires - dt.timedelta(days=3)) == 0
    assert sorted(cert.reminders.values_list("days_before", flat=True)) == [7, 30, 90]
    notices = Notification.objects.filter(user=worker.user, message__contains="到期")
    assert notices.count() == 3


def test_late_first_scan_sends_only_the_most_urgent(worker, simple_level):
    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None)
    assert services.send_expiry_reminders(cert.expires_on - dt.timedelta(days=20)) == 1
    rows = {r.days_before: r.delivered for r in cert.reminders.all()}
    assert rows == {90: False, 30: True}


def test_no_reminder_for_revoked_or_renewed(worker, simple_level, district_admin):
    cert, _ = services.issue_certificate(worker, simple_level, acting_user=None)
    services.revoke_certificate(cert, reason="违规", acting_user=district_admin)
    assert services.send_expiry_reminders(cert.expires_on - dt.timedelta(days=7)) == 0


def _evaluate_with_retry(worker_id, results, errors):
    """What Celery does: retry the task on a transient database error."""
    try:
        for _attempt in range(20):
            try:
                results.extend(services.evaluate_and_issue(worker_id))
                return
            except OperationalError:
                continue
    except Exception as exc:  # noqa: BLE001 - reported to the test
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_triggers_issue_one_certificate(worker, simple_level):
    # a requirement already met (service since 2020), so no event has issued it yet
    simple_level.requirements.update(kind="service_years", years=1, hours=None)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        _evaluate_with_retry(worker.pk, results, errors)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Certificate.objects.filter(worker=worker, level=simple_level).count() == 1
    assert len(results) == 1

"""Signal receivers: record feed events in the same transaction as the fact they describe."""

from django.db.models.signals import post_save


def _certificate_event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .feed import record_certificate_event

        record_certificate_event(instance)


def _log_entry_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.action == "people.grade_changed":
        from .feed import record_grade_change

        record_grade_change(instance)


def connect() -> None:
    from wagtail.models import ModelLogEntry

    from certification.models import CertificateEvent

    post_save.connect(
        _certificate_event_saved, sender=CertificateEvent, dispatch_uid="hr.certificate_event"
    )
    post_save.connect(_log_entry_saved, sender=ModelLogEntry, dispatch_uid="hr.grade_changed")
    connect_retention()


def protect_audit_entries(sender, instance, **kwargs):
    """Audit entries are kept at least ``GA_AUDIT_RETENTION_DAYS`` (≥ 180): refuse earlier."""
    import datetime as dt

    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from .audit import retention_days

    if instance.timestamp and instance.timestamp > timezone.now() - dt.timedelta(
        days=retention_days()
    ):
        raise PermissionDenied("Audit entries are retained for at least 180 days.")


def connect_retention() -> None:
    from django.db.models.signals import pre_delete
    from wagtail.models import ModelLogEntry, PageLogEntry

    for model in (ModelLogEntry, PageLogEntry):
        pre_delete.connect(
            protect_audit_entries, sender=model, dispatch_uid=f"hr.retain.{model.__name__}"
        )

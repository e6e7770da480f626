"""HR side of certification: API tokens, export jobs and the certification event feed.

The records themselves are not stored here: they are read live from people, certification,
courses and assessments (``records.py``), always through the viewer's jurisdiction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A read-only API key for an HR system, bound to one org subtree.

    Only a SHA-256 hash of the key is stored; the key itself is shown once, when it is created.
    """

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    org_unit = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("org subtree"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The token sees workers of this unit and every unit below it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ExportJob(models.Model):
    """One export of the HR records: small ones stream at once, large ones run as a task.

    Every export has a row here (and an audit entry against it), so "who exported what, when,
    with which filters and how many rows" is always answerable.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        STREAMED = "streamed", _("Downloaded directly")
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_records", "Can view HR records, dashboards and exports"),
            ("view_audit_log", "Can view the audit log of the jurisdiction"),
        ]

    def __str__(self) -> str:
        return f"{self.format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.row_count:
            return 0
        return min(99, self.rows_written * 100 // self.row_count)

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class FeedEvent(models.Model):
    """One entry of the certification event feed that HR systems sync from.

    Append-only with an increasing id, so a cursor over ``id`` never misses or repeats an
    event; ``source`` makes recording idempotent (one row per source fact).
    """

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        RENEWED = "renewed", _("Renewed")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        GRADE_CHANGED = "grade_changed", _("Grade changed")

    source = models.CharField(max_length=40, unique=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    worker = models.ForeignKey("people.WorkerProfile", on_delete=models.CASCADE, related_name="+")
    certificate = models.ForeignKey(
        "certification.Certificate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    occurred_on = models.DateField(_("date"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certification event")
        verbose_name_plural = _("certification events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.worker_id}"

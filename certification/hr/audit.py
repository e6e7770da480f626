"""The audit viewer's reads: Wagtail's model log entries within the viewer's jurisdiction.

Entries are never edited or deleted from the UI (the viewer is read-only), and
``receivers.protect_audit_entries`` refuses to delete any entry younger than
``GA_AUDIT_RETENTION_DAYS`` (180 by default), whatever asks for it.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from people.access import sees_everything
from people.models import WorkerProfile

from . import records


def audit_entries_for(user):
    """Entries by people of the viewer's subtree, or about its workers; all for superusers."""
    if not records.can_view_audit(user):
        return ModelLogEntry.objects.none()
    qs = ModelLogEntry.objects.select_related("user").order_by("-timestamp", "-id")
    if sees_everything(user):
        return qs
    path = user.jurisdiction.path
    worker_ct = ContentType.objects.get_for_model(WorkerProfile)
    worker_ids = (
        WorkerProfile.objects.filter(org_unit__path__startswith=path)
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    return qs.filter(
        Q(user__jurisdiction__path__startswith=path)
        | Q(user__worker__org_unit__path__startswith=path)
        | Q(content_type=worker_ct, object_id__in=worker_ids)
    )


def _actions(request=None):
    return log_registry.get_choices()


class AuditFilterSet(WagtailFilterSet):
    person = django_filters.CharFilter(
        label=_("Person (name or username)"), method="filter_person", max_length=50
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=_actions)
    date_from = django_filters.DateFilter(label=_("From"), method="filter_from")
    date_to = django_filters.DateFilter(label=_("To"), method="filter_to")

    class Meta:
        model = ModelLogEntry
        fields = ["person", "action", "date_from", "date_to"]

    def filter_person(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(user__name__icontains=value) | Q(user__username__icontains=value))

    def filter_from(self, qs, name, value):
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        return qs.filter(timestamp__gte=start)

    def filter_to(self, qs, name, value):
        end = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))
        return qs.filter(timestamp__lt=end)


def retention_days() -> int:
    from django.conf import settings

    return max(180, getattr(settings, "GA_AUDIT_RETENTION_DAYS", 180))

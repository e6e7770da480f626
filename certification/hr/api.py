"""Read-only REST API v1 for HR systems: workers, certificates and the certification event feed.

Two ways in: an ``Authorization: Bearer ga_…`` API token (bound to an org subtree), or the
browser session of an HR user or district admin (bound to their jurisdiction). Everything is
filtered by that scope before anything else, so an object outside it answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from certification.models import Certificate, CertificateEvent
from people.access import sees_everything
from people.masking import mask_id_number, mask_mobile
from people.models import OrgUnit

from . import records
from .models import FeedEvent
from .tokens import token_for_key


class TokenPrincipal:
    """``request.user`` for a request made with an API token: no person, just a scope."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, token):
        self.token = token

    def __str__(self) -> str:
        return f"api-token:{self.token.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


class HrTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``; unknown or revoked keys are refused with 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("Invalid token header.")) from exc
        token = token_for_key(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid or revoked API token."))
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HrTokenScheme(OpenApiAuthenticationExtension):
    target_class = "certification.hr.api.HrTokenAuthentication"
    name = "hrApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API token created by a district admin (ga_…); read-only.",
        }


class IsHrReader(BasePermission):
    def has_permission(self, request, view):
        if isinstance(request.user, TokenPrincipal):
            return True
        return records.can_view_records(request.user)


class HrApiThrottle(SimpleRateThrottle):
    scope = "hr_api"

    def get_rate(self):
        return getattr(settings, "GA_HR_API_RATE", "1200/hour")

    def get_cache_key(self, request, view):
        if isinstance(request.user, TokenPrincipal):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IdCursorPagination(CursorPagination):
    """Ordered by id: a client following ``next`` sees each row exactly once, and rows added
    meanwhile come after the cursor."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def scope_root(request) -> OrgUnit | None:
    """The org subtree of this request; None means everything (superusers only)."""
    if isinstance(request.user, TokenPrincipal):
        return request.user.token.org_unit
    if sees_everything(request.user):
        return None
    return request.user.jurisdiction


class HrApiMixin:
    authentication_classes = [HrTokenAuthentication, SessionAuthentication]
    permission_classes = [IsHrReader]
    throttle_classes = [HrApiThrottle, AnonRateThrottle]
    pagination_class = IdCursorPagination
    lookup_value_regex = r"\d+"


def org_unit_param(request) -> OrgUnit | None:
    """The ``org_unit`` filter, looked up inside the scope only (outside = unknown)."""
    code = request.query_params.get("org_unit")
    if not code:
        return None
    root = scope_root(request)
    units = OrgUnit.objects.filter(code=code[:40])
    if root is not None:
        units = units.filter(path__startswith=root.path)
    unit = units.first()
    if unit is None:
        raise ValidationError({"org_unit": _("Unknown org unit.")})
    return unit


class WorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    org_unit = serializers.CharField(source="org_unit.code")
    org_unit_name = serializers.CharField(source="org_unit.name")
    post = serializers.CharField()
    grade = serializers.IntegerField()
    mobile = serializers.SerializerMethodField(help_text="Masked, e.g. 139****5678")
    id_number = serializers.SerializerMethodField(help_text="Masked")
    certification_level = serializers.CharField(source="cert_level", allow_null=True)
    certificate_number = serializers.CharField(source="cert_number", allow_null=True)
    certificate_status = serializers.ChoiceField(
        source="cert_status", choices=["valid", "expired", "revoked", "none"]
    )
    certificate_expires_on = serializers.DateField(source="cert_expires_on", allow_null=True)
    grade_review_eligible = serializers.BooleanField(source="review_eligible", allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_mobile(self, obj) -> str:
        return mask_mobile(obj.user.mobile)

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)


class CertificateSerializer(serializers.ModelSerializer):
    worker = serializers.IntegerField(source="worker_id")
    employee_no = serializers.CharField(source="worker.employee_no")
    level = serializers.CharField(source="level.code")
    status = serializers.ChoiceField(choices=["valid", "expired", "revoked", "superseded"])

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "worker",
            "employee_no",
            "holder_name",
            "level",
            "cycle",
            "status",
            "issued_on",
            "valid_from",
            "expires_on",
            "held_since",
            "revoked_on",
            "created_at",
        ]


class EventSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="worker.employee_no")
    certificate_number = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()

    class Meta:
        model = FeedEvent
        fields = [
            "id",
            "kind",
            "occurred_on",
            "created_at",
            "worker",
            "employee_no",
            "certificate",
            "certificate_number",
            "level",
            "data",
        ]

    def get_certificate_number(self, obj) -> str:
        return (obj.data or {}).get("number", "")

    def get_level(self, obj) -> str:
        return (obj.data or {}).get("level", "")


@extend_schema_view(
    list=extend_schema(
        summary="Workers in scope with their certification record",
        parameters=[
            OpenApiParameter("org_unit", OpenApiTypes.STR, description="Org unit code (subtree)"),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
        ],
    ),
    retrieve=extend_schema(summary="One worker (404 outside your scope)"),
)
class WorkerViewSet(HrApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkerSerializer

    def get_queryset(self):
        root = scope_root(self.request)
        if root is None:
            qs = records.annotate_records(records.WorkerProfile.objects.with_related())
        else:
            qs = records.records_in_subtree(root)
        if self.action == "list":
            unit = org_unit_param(self.request)
            if unit is not None:
                qs = records.filter_subtree(qs, unit)
            since = updated_since(self.request)
            if since is not None:
                qs = qs.filter(updated_at__gte=since)
        return qs.order_by("id")


def updated_since(request) -> dt.datetime | None:
    raw = request.query_params.get("updated_since")
    if not raw:
        return None
    value = parse_datetime(raw[:40])
    if value is None:
        day = parse_date(raw[:10]) if len(raw) == 10 else None
        if day is None:
            raise ValidationError(
                {
                    "updated_since": _(
                        "Use an ISO date or date-time, e.g. 2026-11-01T08:00:00+08:00."
                    )
                }
            )
        value = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


CERT_STATUSES = ["valid", "expired", "revoked", "superseded"]


def certificate_status_q(status: str, on: dt.date) -> Q:
    if status == "revoked":
        return Q(revoked_on__isnull=False, revoked_on__lte=on)
    live = Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
    if status == "superseded":
        return live & Q(superseded_on__isnull=False, superseded_on__lte=on)
    live &= Q(superseded_on__isnull=True) | Q(superseded_on__gt=on)
    if status == "expired":
        return live & Q(expires_on__lt=on)
    return live & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))


@extend_schema_view(
    list=extend_schema(
        summary="Certificates of workers in scope",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CERT_STATUSES),
            OpenApiParameter("level", OpenApiTypes.STR, description="Level code, e.g. C1"),
            OpenApiParameter("org_unit", OpenApiTypes.STR, description="Org unit code (subtree)"),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Issued, or changed (revoked, superseded, reminded) since",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One certificate (404 outside your scope)"),
)
class CertificateViewSet(HrApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificateSerializer

    def get_queryset(self):
        qs = Certificate.objects.select_related("level", "worker")
        root = scope_root(self.request)
        if root is not None:
            qs = qs.filter(worker__org_unit__path__startswith=root.path)
        if self.action == "list":
            params = self.request.query_params
            status = params.get("status")
            if status:
                if status not in CERT_STATUSES:
                    raise ValidationError(
                        {"status": _("Use one of: %(s)s.") % {"s": ", ".join(CERT_STATUSES)}}
                    )
                qs = qs.filter(certificate_status_q(status, timezone.localdate()))
            if params.get("level"):
                qs = qs.filter(level__code=params["level"][:10])
            unit = org_unit_param(self.request)
            if unit is not None:
                qs = qs.filter(worker__org_unit__path__startswith=unit.path)
            since = updated_since(self.request)
            if since is not None:
                changed = CertificateEvent.objects.filter(
                    certificate=OuterRef("pk"), created_at__gte=since
                )
                qs = qs.filter(Q(created_at__gte=since) | Exists(changed))
        return qs.order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="Certification events, oldest first, for incremental sync",
        description=(
            "Issued, renewed, expired, revoked and grade changed. Follow `next` until it is "
            "null, keep the last `next` (or the cursor of the last page) and continue from it "
            "later: every event is delivered exactly once, in order."
        ),
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=FeedEvent.Kind.values),
        ],
    ),
    retrieve=extend_schema(summary="One event (404 outside your scope)"),
)
class EventViewSet(HrApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer

    def get_queryset(self):
        qs = FeedEvent.objects.select_related("worker")
        root = scope_root(self.request)
        if root is not None:
            qs = qs.filter(worker__org_unit__path__startswith=root.path)
        settle = getattr(settings, "GA_HR_FEED_SETTLE_SECONDS", 5)
        if settle:
            # A concurrent transaction may commit a lower id a moment later: hold the newest
            # events back briefly so a cursor never moves past an id still to appear.
            qs = qs.filter(created_at__lte=timezone.now() - dt.timedelta(seconds=settle))
        if self.action == "list":
            kind = self.request.query_params.get("kind")
            if kind:
                if kind not in FeedEvent.Kind.values:
                    raise ValidationError({"kind": _("Unknown event kind.")})
                qs = qs.filter(kind=kind)
        return qs.order_by("id")

"""API tokens: created by a district admin for an org subtree, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from people.access import can_see_org_unit, sees_everything
from people.models import OrgUnit
from people.roles import DISTRICT_ADMIN, has_role

from .models import ApiToken

KEY_PREFIX = "ga_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def can_manage_tokens(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (sees_everything(user) or (has_role(user, DISTRICT_ADMIN) and user.jurisdiction_id))
    )


def tokens_visible_to(user):
    if not can_manage_tokens(user):
        return ApiToken.objects.none()
    qs = ApiToken.objects.select_related("org_unit", "created_by")
    if sees_everything(user):
        return qs
    return qs.filter(org_unit__path__startswith=user.jurisdiction.path)


def create_token(name: str, org_unit: OrgUnit, *, acting_user) -> tuple[ApiToken, str]:
    """(token, key). The key is returned here and never again."""
    name = (name or "").strip()
    if not (can_manage_tokens(acting_user) and can_see_org_unit(acting_user, org_unit)):
        raise PermissionDenied
    if not name:
        raise ValidationError(_("Give the token a name."))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name[:80],
            prefix=key[:10],
            key_hash=hash_key(key),
            org_unit=org_unit,
            created_by=acting_user,
        )
        log(
            token,
            "hr.token_created",
            user=acting_user,
            data={"name": token.name, "org_unit": org_unit.code, "prefix": token.prefix},
        )
    return token, key


def revoke_token(token: ApiToken, *, acting_user) -> ApiToken:
    if not (can_manage_tokens(acting_user) and can_see_org_unit(acting_user, token.org_unit)):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            log(locked, "hr.token_revoked", user=acting_user, data={"prefix": locked.prefix})
    return locked


def token_for_key(key: str) -> ApiToken | None:
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("org_unit")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

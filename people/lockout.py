"""Login protection: lock an account after repeated failures; a higher limit per address.

The account limit (default 5 failures in 15 minutes → locked 15 minutes) protects one account
from guessing. The address limit (default 50) only slows a single machine trying many
accounts; it is high so that colleagues sharing a street office's address are not affected.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import ratelimit
from .models import LoginLock, User


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def account_limit() -> int:
    return _setting("GA_LOGIN_ACCOUNT_LIMIT", 5)


def address_limit() -> int:
    return _setting("GA_LOGIN_ADDRESS_LIMIT", 50)


def window_seconds() -> int:
    return _setting("GA_LOGIN_WINDOW_SECONDS", 15 * 60)


def lock_seconds() -> int:
    return _setting("GA_LOGIN_LOCK_SECONDS", 15 * 60)


def _resolve(identifier: str) -> tuple[str, User | None]:
    identifier = (identifier or "").strip()
    user = User.objects.filter(Q(username=identifier) | Q(mobile=identifier)).first()
    if user is not None:
        return user.username, user
    return identifier.lower()[:150], None


def refusal(identifier: str, ip: str) -> str | None:
    """The message to show if this login may not be tried now, else None."""
    if ratelimit.count("login-ip", ip) >= address_limit():
        return _("Too many failed logins from this network. Please wait 15 minutes and try again.")
    key, _user = _resolve(identifier)
    lock = LoginLock.objects.filter(identifier=key).first()
    if lock and lock.is_locked:
        minutes = max(1, int((lock.locked_until - timezone.now()).total_seconds() // 60) + 1)
        return _(
            "This account is locked after repeated failed logins. Try again in %(minutes)s "
            "minutes, or ask an administrator to unlock it."
        ) % {"minutes": minutes}
    return None


def record_failure(identifier: str, ip: str) -> None:
    ratelimit.hit("login-ip", ip, limit=address_limit(), window=window_seconds())
    key, user = _resolve(identifier)
    if not key:
        return
    now = timezone.now()
    with transaction.atomic():
        lock, _created = LoginLock.objects.select_for_update().get_or_create(
            identifier=key, defaults={"user": user, "window_started_at": now}
        )
        if lock.is_locked:
            return
        if lock.window_started_at < now - dt.timedelta(seconds=window_seconds()) or (
            lock.locked_until and lock.locked_until <= now
        ):
            lock.failures, lock.window_started_at, lock.locked_until = 0, now, None
        lock.failures += 1
        if lock.failures >= account_limit():
            lock.locked_until = now + dt.timedelta(seconds=lock_seconds())
        lock.save()


def record_success(user: User) -> None:
    LoginLock.objects.filter(identifier=user.username).delete()


def unlock(lock: LoginLock, *, acting_user: User) -> None:
    """An admin lifts a lock (audit-logged)."""
    with transaction.atomic():
        log(lock, "people.login_unlocked", user=acting_user, data={"account": lock.identifier})
        lock.delete()

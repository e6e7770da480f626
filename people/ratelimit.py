"""Small shared helpers for rate limits: the client's address and a fixed-window counter.

The counters live in the default cache (Redis in production, shared by every process).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address, trusting ``GA_TRUSTED_PROXY_COUNT`` proxies in X-Forwarded-For."""
    proxies = getattr(settings, "GA_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"ga-rl:{scope}:{digest}"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one event; False when ``ident`` has exceeded ``limit`` events in ``window`` s."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def count(scope: str, ident: str) -> int:
    return cache.get(_key(scope, ident)) or 0


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))

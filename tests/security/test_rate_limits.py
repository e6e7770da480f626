"""Rate limits: the public verification page, login and the API answer clearly when a client
asks too often. Counters live in the shared cache (Redis in production)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_verification_page_answers_429_with_a_chinese_page(client, settings, site):
    settings.GA_VERIFY_RATE_LIMIT = (3, 60)
    for _ in range(3):
        assert client.get("/verify/NO-SUCH-CODE/", REMOTE_ADDR="10.8.0.1").status_code == 404
    response = client.get("/verify/NO-SUCH-CODE/", REMOTE_ADDR="10.8.0.1")
    assert response.status_code == 429
    body = response.content.decode()
    assert "查询过于频繁" in body or "请稍等" in body or "请等待" in body, body[:500]
    # Another address is not affected.
    assert client.get("/verify/NO-SUCH-CODE/", REMOTE_ADDR="10.8.0.2").status_code == 404


@pytest.mark.django_db
def test_verification_limit_cannot_be_dodged_with_a_forged_forwarded_header(client, settings, site):
    """With the default settings (no trusted proxy) X-Forwarded-For must be ignored."""
    settings.GA_VERIFY_RATE_LIMIT = (3, 60)
    codes = [
        client.get(
            "/verify/NO-SUCH-CODE/", REMOTE_ADDR="10.8.0.3", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}"
        ).status_code
        for i in range(5)
    ]
    assert codes[-1] == 429


@pytest.mark.django_db
def test_login_from_one_address_is_slowed_with_a_clear_chinese_message(client, learner, settings):
    settings.GA_LOGIN_ADDRESS_LIMIT = 6
    for i in range(6):
        client.post(
            "/accounts/login/", {"username": f"guess{i}", "password": "x"}, REMOTE_ADDR="10.9.0.1"
        )
    response = client.post(
        "/accounts/login/",
        {"username": "learner", "password": "pass-word-123"},
        REMOTE_ADDR="10.9.0.1",
    )
    assert "_auth_user_id" not in client.session
    assert "来自该网络的登录失败次数过多" in response.content.decode()


@pytest.fixture
def tight_api_rates(monkeypatch):
    """DRF reads its rates once at import; the test lowers them on the throttle class."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})


@pytest.mark.django_db
def test_api_answers_429_json_with_retry_after_for_anonymous_clients(client, tight_api_rates):
    """The public part of the API (the schema) is throttled per address for visitors."""
    statuses = [client.get("/api/v1/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_api_answers_429_for_a_signed_in_user_over_the_limit(client_for, learner, tight_api_rates):
    client = client_for(learner)
    statuses = [client.get("/api/v1/exams/").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


@pytest.mark.django_db
def test_verification_limit_behind_a_proxy_keys_on_the_address_the_proxy_saw(
    client, settings, site
):
    settings.GA_VERIFY_RATE_LIMIT = (3, 60)
    settings.GA_TRUST_X_FORWARDED_FOR = True
    settings.GA_TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw (10.8.0.9); the client forges what comes before it.
    codes = [
        client.get(
            "/verify/NO-SUCH-CODE/",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.8.0.9",
        ).status_code
        for i in range(5)
    ]
    assert codes[-1] == 429

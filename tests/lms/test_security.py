import pytest


@pytest.mark.django_db
def test_learner_pages_have_a_csp_without_inline_scripts(client, site):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_session_cookie_is_httponly(client, learner):
    response = client.post("/accounts/login/", {"username": "learner", "password": "pass-word-123"})
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.django_db
def test_admin_users_get_a_short_idle_timeout_learners_do_not(
    client_for, trainer, learner, settings
):
    settings.GA_ADMIN_SESSION_IDLE_SECONDS = 1800
    client = client_for(trainer)
    client.get("/admin/")
    assert client.session.get_expiry_age() == 1800
    client = client_for(learner)
    client.get("/accounts/login/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_404_page_is_friendly_chinese(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_site_history_report_is_for_superusers_only(client_for, hr_street_a, admin):
    assert client_for(hr_street_a).get("/admin/reports/site-history/").status_code == 404
    assert client_for(hr_street_a).get("/admin/reports/site-history/results/").status_code == 404
    assert client_for(admin).get("/admin/reports/site-history/").status_code == 200


@pytest.mark.django_db
def test_the_admin_access_check_is_remembered_per_user(client_for, trainer, learner, settings):
    """Signed-in requests do not load every permission each time (cached for the site cache's
    lifetime); an admin session keeps its short expiry without asking again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.GA_SITE_CACHE_SECONDS = 60
    settings.GA_ADMIN_SESSION_IDLE_SECONDS = 1800
    cache.clear()
    client = client_for(learner)
    client.get("/healthz")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/healthz")
    assert not [q for q in ctx.captured_queries if "permission" in q["sql"].lower()]
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE

    admin_client = client_for(trainer)
    admin_client.get("/healthz")
    assert admin_client.session.get_expiry_age() == 1800
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        admin_client.get("/healthz")
    assert not [q for q in ctx.captured_queries if "permission" in q["sql"].lower()]
    assert admin_client.session.get_expiry_age() == 1800
    cache.clear()

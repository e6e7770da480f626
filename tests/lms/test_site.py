import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "SECRET_KEY": "x" * 20 + "production-test-secret-key-0123456789abcdef",
    "ALLOWED_HOSTS": "academy.example.org",
    "DATABASE_URL": "sqlite:////tmp/ga-prod-check.sqlite3",
}


def _manage(*args, env_extra=None, drop=()):
    # A clean process environment: other tests (the browser journeys) may set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which deploy checks rightly reject.
    drop = {*drop, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env_extra={"ALLOWED_HOSTS": "a.example.org"}, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage(
        "check", env_extra={"SECRET_KEY": PROD_ENV["SECRET_KEY"]}, drop=("ALLOWED_HOSTS",)
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_check_deploy_reports_nothing():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_demo_data_refused_under_production_settings():
    result = _manage("seed_demo", env_extra=PROD_ENV)
    assert result.returncode != 0
    assert "refused" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_reports_broker_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from lms.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.django_db
def test_home_for_anonymous_and_learner(client_for, site, learner):
    anonymous = client_for(None).get("/")
    assert anonymous.status_code == 200
    assert "网格学堂" in anonymous.content.decode()
    assert "登录" in anonymous.content.decode()
    response = client_for(learner).get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "陈思远，您好" in body
    assert "柳岸街道 / 柳岸社区 / 第一网格" in body


@pytest.mark.django_db
def test_chinese_by_default_even_for_english_browsers_and_english_on_request(client, site):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    response = client.get("/accounts/login/")
    assert 'lang="en"' in response.content.decode()
    assert "Username or mobile number" in response.content.decode()


@pytest.mark.django_db
def test_admin_and_login_pages_answer(client_for, site, admin):
    assert client_for(None).get("/accounts/login/").status_code == 200
    assert client_for(None).get("/admin/").status_code == 302
    assert client_for(admin).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_logout_is_post_only_and_logs_out(client_for, site, learner):
    client = client_for(learner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_database_outage_answers_a_friendly_503(client, monkeypatch):
    from django.test import Client

    from lms import views

    def boom(request):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "_check_database", lambda: "error")
    from django.urls import path

    import lms.urls

    monkeypatch.setattr(lms.urls, "urlpatterns", [path("boom/", boom), *lms.urls.urlpatterns])
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        response = Client(raise_request_exception=False).get("/boom/")
    finally:
        clear_url_caches()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "系统暂时无法访问" in response.content.decode()

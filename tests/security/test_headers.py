"""Headers and settings: CSP without inline scripts on learner pages, no inline scripts or
event handlers in what those pages actually send, secure cookies and HSTS under production
settings, clickjacking protection, documents through the permission-checking view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]

# Pages a learner sees (signed in). A path whose app is missing answers 404: still checked.
LEARNER_PAGES = [
    "/",
    "/learn/mine/",
    "/sessions/",
    "/exams/",
    "/simulations/",
    "/me/certificates/",
    "/me/grade/",
    "/verify/",
]
PUBLIC_PAGES = ["/accounts/login/", "/verify/", "/no-such-page/"]


def _script_src(csp: str) -> str:
    for part in csp.split(";"):
        part = part.strip()
        if part.startswith("script-src"):
            return part
    # No script-src: default-src governs scripts.
    return next((p.strip() for p in csp.split(";") if p.strip().startswith("default-src")), "")


class _InlineScriptFinder(HTMLParser):
    """Collects inline <script> bodies and on*= handler attributes (both blocked by our CSP)."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
        if tag == "script":
            kind = (names.get("type") or "").lower()
            data_block = kind in ("application/json", "application/ld+json", "text/template")
            self._in_inline_script = "src" not in names and not data_block

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_inline_script = False


def _assert_strict_page(response, path):
    csp = response["Content-Security-Policy"]
    script_src = _script_src(csp)
    assert script_src, f"{path}: CSP without a script rule: {csp}"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (
        f"{path}: {script_src}"
    )
    assert "frame-ancestors 'none'" in csp, f"{path}: {csp}"
    assert response["X-Frame-Options"] == "DENY", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    if "text/html" in response.get("Content-Type", ""):
        finder = _InlineScriptFinder()
        finder.feed(response.content.decode())
        assert not finder.problems, f"{path}: the CSP would block {finder.problems}"


@pytest.mark.django_db
def test_learner_pages_send_a_strict_csp_and_contain_no_inline_script(client_for, learner, site):
    client = client_for(learner)
    for path in LEARNER_PAGES:
        response = client.get(path, follow=True)
        assert response.status_code < 500, path
        _assert_strict_page(response, path)


@pytest.mark.django_db
def test_public_pages_send_a_strict_csp(client, site):
    for path in PUBLIC_PAGES:
        _assert_strict_page(client.get(path), path)


@pytest.mark.django_db
def test_admin_may_not_be_framed_by_other_sites(client_for, trainer):
    response = client_for(trainer).get("/admin/")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def _production_settings() -> dict:
    """The production module's values, loaded in a child process with the required env."""
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "names = ['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_SECURE',"
        "'SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS','SECURE_SSL_REDIRECT',"
        "'SECURE_PROXY_SSL_HEADER','X_FRAME_OPTIONS','DEBUG','WAGTAILDOCS_SERVE_METHOD',"
        "'GA_ADMIN_SESSION_IDLE_SECONDS','GA_ALLOW_DEMO_DATA'];"
        "print(json.dumps({n: getattr(settings, n) for n in names}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "academy.example.org",
        "DATABASE_URL": "sqlite:////tmp/ga-security-prod-check.sqlite3",
    }
    env.pop("SECURE_HSTS_SECONDS", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_are_secure():
    prod = _production_settings()
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] and prod["SESSION_COOKIE_HTTPONLY"]
    assert prod["CSRF_COOKIE_SECURE"]
    assert prod["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert prod["SECURE_SSL_REDIRECT"]
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"
    assert prod["GA_ADMIN_SESSION_IDLE_SECONDS"] == 30 * 60
    assert prod["GA_ALLOW_DEMO_DATA"] is False


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "ALLOWED_HOSTS": "academy.example.org",
        "SECRET_KEY": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "SECRET_KEY" in out.stderr


@pytest.mark.django_db
def test_with_production_settings_cookies_are_secure_httponly_and_hsts_is_sent(
    client, learner, site
):
    prod = _production_settings()
    with override_settings(
        SESSION_COOKIE_SECURE=prod["SESSION_COOKIE_SECURE"],
        CSRF_COOKIE_SECURE=prod["CSRF_COOKIE_SECURE"],
        SECURE_HSTS_SECONDS=prod["SECURE_HSTS_SECONDS"],
        SECURE_HSTS_INCLUDE_SUBDOMAINS=prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
        SECURE_SSL_REDIRECT=prod["SECURE_SSL_REDIRECT"],
    ):
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        page = client.get("/accounts/login/", secure=True)
        assert page["Strict-Transport-Security"].startswith(
            f"max-age={prod['SECURE_HSTS_SECONDS']}"
        )
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"]
        response = client.post(
            "/accounts/login/",
            {"username": "learner", "password": "pass-word-123"},
            secure=True,
        )
        assert response.status_code == 302
        session = response.cookies["sessionid"]
        assert session["secure"] and session["httponly"]
        assert session["samesite"].lower() == "lax"


@pytest.mark.django_db
def test_documents_go_through_the_permission_checking_view(client_for, learner, settings, tmp_path):
    """A document in a collection restricted to signed-in users: anonymous visitors are sent
    to the login page, a signed-in learner gets the file (Django serves it, not a raw URL)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    # Wagtail streams the file from disk: use real files instead of the in-memory test storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path)
    root = Collection.get_first_root_node()
    private = root.add_child(name="内部资料")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    doc = get_document_model().objects.create(
        title="调解记录模板", collection=private, file=ContentFile(b"template", name="tpl.txt")
    )
    url = doc.url
    assert url.startswith("/documents/")
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    response = client_for(learner).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"template"


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": "ci-" + "k" * 60 + "Zq9",
        "ALLOWED_HOSTS": "academy.example.org",
        "DATABASE_URL": "sqlite:////tmp/ga-security-deploy-check.sqlite3",
    }
    # The browser tests relax Django's async guard for their own process only.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr

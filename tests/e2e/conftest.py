"""Browser harness: Playwright for Python driving the system Chromium (/usr/bin/chromium).

Never downloads a browser build. Without Chromium (or Playwright) the journeys are not
collected and ONE line says how to enable them, so ``make test`` passes on any machine.
Each journey runs at a phone and a desktop viewport (the ``viewport`` parameter); when one
fails, a screenshot and the page HTML are kept under ``tests/e2e/artifacts/``.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GA_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ENABLE_HINT = "e2e: install Debian chromium (apt-get install chromium) to run the browser tests"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Held by the live server while it runs a request, and by the database flush after a journey
# (see ``_one_request_at_a_time``).
SERVER_LOCK = threading.Lock()
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "pass-word-123"


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


E2E_AVAILABLE = os.access(CHROMIUM, os.X_OK) and _playwright_available()

# Not collected at all without a browser: one line in the summary instead of a skip per test.
collect_ignore_glob = [] if E2E_AVAILABLE else ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if not E2E_AVAILABLE:
        terminalreporter.write_line(ENABLE_HINT)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    """On in-memory SQLite, Django's live server hands every request thread the test's own
    connection. A page that sends several requests at once (the exam's queued answers when the
    network returns) would then interleave transactions on one connection and break each other's
    savepoints. Requests still arrive on their own threads (keep-alive works) but the
    application runs one request at a time, response included. The flush after each journey
    takes the same lock, so a request still in flight never shares the connection with it."""
    from django.core.management.commands import flush
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(ThreadedWSGIServer):
        def set_app(self, application):
            def serial(environ, start_response):
                with SERVER_LOCK:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()

            super().set_app(serial)

    flush_handle = flush.Command.handle

    def serial_flush(self, *args, **options):
        with SERVER_LOCK:
            return flush_handle(self, *args, **options)

    previous = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    flush.Command.handle = serial_flush
    yield
    LiveServerThread.server_class = previous
    flush.Command.handle = flush_handle


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-150:]


@pytest.fixture
def new_context(browser, live_server, viewport, request):
    """``new_context()``: another browser (a second person's phone) at the same viewport.

    Every page of every context is kept (screenshot + HTML) when the test fails.
    """
    opened = []

    def _new():
        ctx = browser.new_context(
            viewport=VIEWPORTS[viewport],
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
        )
        ctx.set_default_timeout(15_000)
        opened.append(ctx)
        return ctx

    yield _new
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = _slug(request.node.nodeid)
        pages = [p for ctx in opened for p in ctx.pages]
        for index, page in enumerate(pages):
            suffix = f"-{index}" if index else ""
            try:
                page.screenshot(path=str(ARTIFACTS / f"{stem}{suffix}.png"), full_page=True)
                (ARTIFACTS / f"{stem}{suffix}.html").write_text(page.content(), encoding="utf-8")
            except Exception as exc:  # the page may be gone; keep what we can
                (ARTIFACTS / f"{stem}{suffix}.txt").write_text(repr(exc), encoding="utf-8")
    for ctx in opened:
        ctx.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def login(live_server):
    """``login(page, user)``: sign in through the real login form, like a person would."""

    def _login(page, user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.locator("form").filter(has=page.locator("input[name=password]")).locator(
            "[type=submit]"
        ).first.click()
        page.wait_for_load_state("domcontentloaded")
        assert "/accounts/login/" not in page.url, page.content()[:2000]

    return _login


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """The live server needs real transactions, so every journey ends with a flush that also
    empties what data migrations made. Put back the pieces the site needs to start: Wagtail's
    default locale and root collection (``lms.demo.seed`` rebuilds the page tree and site)."""
    from django.conf import settings
    from django.utils.translation import get_supported_language_variant
    from wagtail.models import Collection, Locale

    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; the ORM calls a journey makes
    between browser steps (and the database flush after it) are still plain synchronous code.
    Set from the first journey to the end of the run; subprocesses that must not inherit it
    (``check --deploy``) drop it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every journey starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

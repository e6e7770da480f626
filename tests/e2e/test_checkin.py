"""QR check-in: the trainer shows the code, a learner opens its URL and is checked in;
the same URL a minute later is refused."""

from __future__ import annotations

import io
import re
import time as real_time

import pytest
import zxingcpp
from django.core import signing
from PIL import Image
from playwright.sync_api import expect

from courses.factories import TrainingSessionFactory
from courses.models import Attendance
from people.factories import WorkerProfileFactory

pytestmark = pytest.mark.e2e


class _OneMinuteLater:
    """Stands in for the ``time`` module inside django.core.signing: the clock 61 s ahead."""

    @staticmethod
    def time():
        return real_time.time() + 61


def test_qr_checkin_then_the_same_url_a_minute_later_is_refused(
    new_context, page, login, org, trainer, learner, monkeypatch
):
    session = TrainingSessionFactory(
        kind="case_sharing",
        course=None,
        title="社区工作法案例分享会",
        trainer=trainer,
        org_unit=org.street_a,
    )

    # The trainer's screen shows a QR code; we read it like a phone camera would.
    login(page, trainer)
    page.goto(f"/sessions/{session.pk}/qr/")
    qr = page.locator("#checkin-qr")
    qr.wait_for()
    page.wait_for_function("document.getElementById('checkin-qr').naturalWidth > 0")
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert codes, "no QR code could be read from the trainer's screen"
    url = codes[0].text
    assert "/sessions/checkin/?t=" in url

    # The learner (their own phone: another browser context) opens the URL and confirms.
    phone = new_context()
    learner_page = phone.new_page()
    login(learner_page, learner)
    learner_page.goto(url)
    assert "社区工作法案例分享会" in learner_page.content()
    learner_page.locator("form:has(input[name=t]) button[type=submit]").click()
    learner_page.wait_for_load_state("domcontentloaded")
    expect(learner_page.locator("[role=status]")).to_be_visible()
    assert Attendance.objects.filter(session=session, user=learner).exists()

    # A colleague is sent a photo of the same code a minute later: refused.
    colleague = WorkerProfileFactory(
        user__username="colleague", user__name="赵晓梅", org_unit=org.grid_a1
    ).user
    phone.clear_cookies()
    login(learner_page, colleague)
    monkeypatch.setattr(signing, "time", _OneMinuteLater)
    learner_page.goto(url)
    learner_page.locator("form:has(input[name=t]) button[type=submit]").click()
    learner_page.wait_for_load_state("domcontentloaded")
    expect(learner_page.locator("[role=alert]")).to_have_text(re.compile("过期|expired"))
    assert not Attendance.objects.filter(session=session, user=colleague).exists()

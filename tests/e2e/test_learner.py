"""The learner's journey in the browser: catalogue → enrol → study a lesson; play a simulation
to the end; see the certificate status, download the PDF and open its verification page
(from the QR code printed on it). The exam part is in test_exam.py."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory
from courses.models import Enrollment, LessonProgress

pytestmark = pytest.mark.e2e


@pytest.fixture
def course(site):
    index = CourseIndexPageFactory(parent=site, title="课程中心", slug="courses")
    course = CoursePageFactory(parent=index, code="MED-101", title="人民调解法与邻里纠纷调解实务")
    LessonPageFactory(parent=course, title="受理与告知", slug="intake")
    return course


def test_catalogue_enrol_and_study_a_lesson(page, login, learner, course):
    login(page, learner)
    page.goto(course.get_parent().url)
    page.get_by_role("link", name="人民调解法与邻里纠纷调解实务").first.click()
    page.wait_for_url(f"**{course.url}")
    page.locator(f"form[action='/learn/courses/{course.pk}/enrol/'] button").click()
    page.wait_for_load_state("domcontentloaded")
    assert Enrollment.objects.filter(user=learner, course=course).exists()

    page.locator(f"a[href='/learn/courses/{course.pk}/resume/']").click()
    page.wait_for_url("**/intake/")
    expect(page.locator("h1")).to_contain_text("受理与告知")
    page.locator("form[action*='/complete/'] button").click()
    page.wait_for_load_state("domcontentloaded")
    assert LessonProgress.objects.filter(user=learner, course=course).count() == 1
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.completed_at is not None  # one lesson: the course is complete


def test_play_a_simulation_to_the_end(page, login, learner, db):
    from assessments.simulations.models import Run
    from assessments.simulations.scenarios import SCENARIOS, build

    scenario = build(SCENARIOS[0])
    scenario.save()
    scenario.save_revision().publish()

    login(page, learner)
    page.goto("/simulations/")
    page.locator(f"form[action='/simulations/{scenario.pk}/start/'] button").first.click()
    page.wait_for_url("**/simulations/runs/*/")
    for _ in range(40):
        if "/result/" in page.url:
            break
        page.locator("input[name=choice]").first.check()
        page.locator("form.sim-choices button[type=submit]").click()
        page.wait_for_load_state("domcontentloaded")
    assert "/result/" in page.url
    run = Run.objects.get(user=learner, scenario=scenario)
    assert run.is_finished


def test_certificate_status_pdf_and_its_verification_page(page, login, learner, live_server):
    from certification.models import CertificationLevel
    from certification.services import issue_certificate

    level = CertificationLevel.objects.get(code="C0")
    certificate, _created = issue_certificate(learner.worker, level, acting_user=None)

    login(page, learner)
    page.goto("/me/certificates/")
    item = page.locator(".cert-item").first
    expect(item).to_contain_text(certificate.number)
    expect(item.locator(".badge")).to_be_visible()

    with page.expect_download() as info:
        item.locator(f"a[href='/me/certificates/{certificate.pk}/pdf/']").click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")

    # The QR code printed on the certificate leads to its public verification page.
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=3).to_pil()
    codes = [c.text for c in zxingcpp.read_barcodes(image)]
    verify_urls = [c for c in codes if "/verify/" in c]
    assert verify_urls, f"no verification QR code on the certificate: {codes}"
    path = urlsplit(verify_urls[0]).path

    visitor = page.context.browser.new_context(base_url=live_server.url)
    try:
        public = visitor.new_page()
        public.goto(path)
        expect(public.locator(".verify-status .badge")).to_be_visible()
        assert certificate.number in public.content() or level.name in public.content()
        assert learner.name not in public.content()  # the holder's name is masked
    finally:
        visitor.close()

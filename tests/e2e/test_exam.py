"""A learner's exam in the browser: answers survive a reload, and when the network drops the
answers are queued, shown as unsent, and saved once the network returns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import AttemptQuestion, AttemptStatus, QuestionType

pytestmark = pytest.mark.e2e


@pytest.fixture
def exam(db):
    questions = [
        QuestionFactory(code="E2E-SINGLE", qtype=QuestionType.SINGLE),
        QuestionFactory(code="E2E-TF", qtype=QuestionType.TRUE_FALSE),
        QuestionFactory(code="E2E-FILL", qtype=QuestionType.FILL_BLANK),
    ]
    return ExamFactory(code="EX-E2E", title="人民调解法随堂测验", questions=questions)


def _start(page, exam):
    page.goto(f"/exams/{exam.pk}/")
    page.locator(f"form[action='/exams/{exam.pk}/start/'] button[type=submit]").click()
    page.wait_for_url("**/exams/attempts/*/")
    expect(page.locator("[data-questions]")).to_be_visible()


def _show(page, index):
    """Bring question ``index`` on screen (the phone layout pages through questions)."""
    page.locator(f"[data-goto='{index}']").click()


def _answer_all(page):
    sections = page.locator("section.question")
    for index in range(sections.count()):
        _show(page, index)
        section = sections.nth(index)
        kind = section.get_attribute("data-type")
        if kind in ("single", "true_false"):
            section.locator("input[type=radio]").first.check()
        else:
            section.locator("input[type=text], textarea").fill("人民调解委员会")
    return sections.count()


def _saved(attempt_user, n):
    return AttemptQuestion.objects.filter(attempt__user=attempt_user, seq__gt=0).count() == n


def _wait_saved(page, user, n):
    for _ in range(60):
        if _saved(user, n):
            return
        page.wait_for_timeout(250)
    raise AssertionError("answers were not saved on the server")


def test_answers_survive_a_reload_and_the_attempt_submits(page, login, learner, exam):
    login(page, learner)
    _start(page, exam)
    count = _answer_all(page)
    _wait_saved(page, learner, count)
    expect(page.locator(".unsaved-mark:visible")).to_have_count(0)

    page.reload()
    sections = page.locator("section.question")
    for index in range(count):
        _show(page, index)
        section = sections.nth(index)
        if section.get_attribute("data-type") in ("single", "true_false"):
            expect(section.locator("input[type=radio]").first).to_be_checked()
        else:
            expect(section.locator("input[type=text], textarea")).to_have_value("人民调解委员会")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-submit]").click()
    page.wait_for_url("**/result/")
    attempt = learner.exam_attempts.get()
    assert attempt.status != AttemptStatus.IN_PROGRESS


def test_offline_answers_are_queued_shown_unsent_and_saved_when_back_online(
    context, page, login, learner, exam
):
    login(page, learner)
    _start(page, exam)
    context.set_offline(True)
    count = _answer_all(page)
    # Nothing reached the server; every answer is marked as not sent.
    page.wait_for_timeout(500)
    assert not AttemptQuestion.objects.filter(attempt__user=learner, seq__gt=0).exists()
    expect(page.locator("[data-save-state]")).to_have_class("save-state offline")
    expect(page.locator(".unsaved-mark:not([hidden])")).to_have_count(count)
    # The queue is kept in the browser: a reload while offline would not lose it.
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('ga-exam-queue-'))"
        ".map(k => Object.keys(JSON.parse(localStorage.getItem(k))).length)"
    )
    assert stored == [count]

    context.set_offline(False)
    _wait_saved(page, learner, count)
    expect(page.locator(".unsaved-mark:not([hidden])")).to_have_count(0)
    expect(page.locator("[data-save-state]")).not_to_have_class("save-state offline")

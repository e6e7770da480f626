"""Trainer writes a case and submits it for review; a reviewer approves it; a learner then
finds it by a word from the middle of its text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casebank.models import CasePage

pytestmark = pytest.mark.e2e

TITLE = "「楼道议事角」化解堆物纠纷"
BACKGROUND = (
    "老旧小区楼道长期堆放杂物，邻里之间因为消防通道被占屡生口角，"
    "网格员在楼道设立议事角，请楼栋长和居民一起商量规矩。"
)


def _open_more_actions(page):
    """The editor's footer keeps secondary actions in a drop-up menu."""
    toggle = page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']")
    if toggle.count():
        toggle.first.click()


def _wait_for(predicate, page, what):
    for _ in range(60):
        if predicate():
            return
        page.wait_for_timeout(250)
    raise AssertionError(what)


def test_case_written_reviewed_and_found(
    new_context, page, login, site, trainer, reviewer, learner
):
    from casebank.setup import setup_case_library

    setup_case_library(site)

    # The trainer writes the case (投稿) …
    login(page, trainer)
    page.goto("/cases/submit/")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=scenario_type]", index=0)
    page.fill("textarea[name=background]", BACKGROUND)
    page.fill("textarea[name=steps]", "入户走访，听取各方意见\n召开楼道议事会\n签订楼道公约并回访")
    page.locator("form:has(textarea[name=steps]) button[type=submit]").click()
    page.wait_for_url("**/cases/submit/done/")
    case = CasePage.objects.get(title=TITLE)
    assert not case.live

    # … and submits it for review in the editor.
    page.goto(f"/admin/pages/{case.pk}/edit/")
    _open_more_actions(page)
    page.locator("button[name='action-submit']").click()
    _wait_for(
        lambda: CasePage.objects.get(pk=case.pk).workflow_in_progress,
        page,
        "the case was not submitted for review",
    )

    # The reviewer approves and publishes it.
    review = new_context().new_page()
    login(review, reviewer)
    review.goto(f"/admin/pages/{case.pk}/edit/")
    _open_more_actions(review)
    review.locator(
        "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    ).first.click()
    _wait_for(lambda: CasePage.objects.get(pk=case.pk).live, review, "the case was not published")

    # A learner finds it by a word from the middle of its text.
    reader = new_context().new_page()
    login(reader, learner)
    reader.goto(CasePage.objects.get(pk=case.pk).get_parent().url + "?q=消防")
    expect(reader.get_by_role("link", name=TITLE).first).to_be_visible()

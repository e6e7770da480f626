"""HR: filter the records to one community, export XLSX, open the file and check its rows."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from people.factories import WorkerProfileFactory

pytestmark = pytest.mark.e2e


def test_hr_filters_one_community_and_exports_xlsx(
    page, login, hr_district, learner, other_learner, org, tmp_path
):
    neighbour = WorkerProfileFactory(
        user__username="gy-worker",
        user__name="桂园网格员",
        org_unit=org.grid_a2,
        employee_no="A0002",
    )
    login(page, hr_district)
    page.goto("/admin/hr/records/")
    expect(page.get_by_text("A0001").first).to_be_visible()

    # Filter by the community, through the listing's own filter drill-down.
    page.get_by_role("button", name=re.compile("显示过滤器|Show filters")).click()
    page.locator("[aria-controls='drilldown-id_org_unit']").click()
    page.locator("select[name=org_unit]").select_option(value=str(org.community_a1.pk))
    page.wait_for_url(re.compile(f"org_unit={org.community_a1.pk}"))
    page.reload()  # the header's export links carry the filters of the page as loaded
    expect(page.get_by_text("A0001").first).to_be_visible()
    expect(page.get_by_text(neighbour.employee_no)).to_have_count(0)

    page.get_by_role("button", name=re.compile("^(动作|Actions|More actions)$")).first.click()
    export = page.locator("a[href*='export=xlsx']:not([href*='unmask'])").first
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    workbook = openpyxl.load_workbook(target, read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    employee_numbers = [row[0] for row in rows[1:] if row and row[0]]
    assert employee_numbers == ["A0001"], rows[:5]
    assert rows[1][1] == learner.name
    # Personal data stays masked in an ordinary export.
    assert "13912345678" not in [str(c) for c in rows[1]]

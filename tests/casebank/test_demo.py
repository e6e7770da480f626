"""The demo seeder: the five §5(e) cases, ≥15 more across every scenario, idempotent."""

from wagtail.models import PageLogEntry, Revision, TaskState, WorkflowState

from casebank import demo as casebank_demo
from casebank.models import CaseAcceptance, CasePage, ScenarioType, UsefulMark
from lms import demo as site_demo
from people import demo as people_demo


def _snapshot():
    return (
        CasePage.objects.count(),
        Revision.objects.count(),
        WorkflowState.objects.count(),
        UsefulMark.objects.count(),
        PageLogEntry.objects.count(),
    )


def test_demo_cases(db):
    people_demo.seed()
    site_demo.seed()
    casebank_demo.seed()
    titles = set(CasePage.objects.values_list("title", flat=True))
    for title in [
        "「三步听诊」化解楼上楼下漏水纠纷",
        "「一张工单，三方共治」——电梯停运诉求的接诉即办",
        "「敲门不应灯却亮」——独居老人应急处置与“每日一问”",
        "「车棚议事会」——从劝阻楼道充电到源头治理",
        "「民情热力图」——用高频诉求数据推动“未诉先办”",
    ]:
        assert title in titles
    assert CasePage.objects.count() >= 21  # 20 written cases and a worker's draft
    assert set(CasePage.objects.values_list("scenario_type", flat=True)) == set(ScenarioType.values)
    assert set(CasePage.objects.live().values_list("scenario_type", flat=True)) == set(
        ScenarioType.values
    )
    in_review = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count()
    rejected = TaskState.objects.filter(status=TaskState.STATUS_REJECTED).exclude(comment="")
    assert in_review >= 2
    assert rejected.count() >= 2
    levels = set(CaseAcceptance.objects.values_list("review_level", flat=True))
    assert levels == {"street", "district"}
    assert CasePage.objects.filter(live=True, law_references__isnull=False).distinct().count() >= 15
    # demo-reviewer approves; demo-trainer writes.
    assert not CaseAcceptance.objects.filter(accepted_by__username="demo-trainer").exists()
    assert CaseAcceptance.objects.filter(accepted_by__username="demo-reviewer").exists()

    before = _snapshot()
    casebank_demo.seed()
    assert _snapshot() == before

"""Authoring and review: the 「案例审核」 workflow, self-approval refused, review levels."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.models import TaskState, Workflow, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from casebank.factories import build_case
from casebank.models import CaseAcceptance, CasePage, CaseReviewTask
from casebank.queries import accepted_cases
from casebank.services import approve_case, reject_case, submit_for_review
from casebank.setup import WORKFLOW_NAME, setup_case_library
from people.factories import UserFactory
from people.roles import REVIEWER, TRAINER


def _admin_form(title, **extra):
    data = {
        "title": title,
        "slug": "",
        "method_name": "三步听诊",
        "scenario_type": "mediation",
        "background": "楼上楼下漏水，居委会人民调解委员会受理。",
        "steps": streamfield(
            [
                (
                    "step",
                    {
                        "action": "分别倾听，登记受理",
                        "tools": "受理登记表",
                        "legal_basis": "人民调解法第17条",
                    },
                )
            ]
        ),
        "outcome": "协议履行完毕",
        "lessons": "用证据替代情绪",
        "red_lines": "不断水",
        "tags": "相邻关系",
        "law_references": inline_formset([]),
        "attachments": inline_formset([]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(extra)
    return nested_form_data(data)


@pytest.fixture
def draft(library, trainer, org):
    return build_case(
        library,
        title="「车棚议事会」源头治理",
        background="楼道电动自行车充电",
        owner=trainer,
        authors=[trainer],
        origin_org_unit=org.community_a1,
    )


@pytest.fixture
def street_reviewer(org):
    return UserFactory(username="rev-a", name="彭立新", roles=[REVIEWER], jurisdiction=org.street_a)


def test_setup_is_idempotent(site):
    first = setup_case_library(site)
    setup_case_library(site)
    assert first.url_path.endswith("/cases/")
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert CaseReviewTask.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert first.get_workflow().name == WORKFLOW_NAME


def test_trainer_writes_and_submits_in_admin_then_reviewer_approves(
    library, trainer, reviewer, client_for, learner
):
    client = client_for(trainer)
    url = reverse("wagtailadmin_pages:add", args=("casebank", "casepage", library.pk))
    response = client.post(url, _admin_form("「三步听诊」化解漏水纠纷", **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = CasePage.objects.get(title="「三步听诊」化解漏水纠纷")
    assert not case.live
    assert case.slug.startswith("case-")
    state = WorkflowState.objects.get(object_id=str(case.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == trainer

    # The trainer holds no publish permission in the case tree.
    assert not case.permissions_for_user(trainer).can_publish()
    # The trainer cannot approve their own case through the admin.
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(case.pk, "approve", task_state.pk)
    )
    response = client.post(approve_url, {})
    assert response.status_code in {302, 403}
    assert not CasePage.objects.get(pk=case.pk).live
    assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_IN_PROGRESS

    client = client_for(reviewer)
    response = client.post(approve_url, {"comment": ""})
    assert response.status_code == 302
    case = CasePage.objects.get(pk=case.pk)
    assert case.live
    assert CaseAcceptance.objects.get(case=case).review_level == "district"

    # It is now found by a word from the middle of its text.
    response = client_for(learner).get("/cases/", {"q": "调解"})
    assert case.pk in [c.pk for c in response.context["result"].cases]


def test_revisions_are_kept(library, trainer, client_for):
    client = client_for(trainer)
    url = reverse("wagtailadmin_pages:add", args=("casebank", "casepage", library.pk))
    client.post(url, _admin_form("初稿"))
    case = CasePage.objects.get(title="初稿")
    edit = reverse("wagtailadmin_pages:edit", args=(case.pk,))
    response = client.post(edit, _admin_form("二稿", slug=case.slug))
    assert response.status_code == 302
    assert case.revisions.count() == 2
    assert [r.content["title"] for r in case.revisions.order_by("created_at")] == ["初稿", "二稿"]


def test_street_reviewer_accepts_at_street_level(draft, trainer, street_reviewer):
    submit_for_review(draft, acting_user=trainer)
    case = approve_case(draft, acting_user=street_reviewer)
    assert case.live
    acceptance = CaseAcceptance.objects.get(case=case)
    assert acceptance.review_level == "street"
    assert acceptance.accepted_by == street_reviewer
    assert accepted_cases([trainer.pk])[trainer.pk][0].review_level == "street"


def test_author_who_is_also_reviewer_cannot_approve(library, org):
    author = UserFactory(username="both", roles=[TRAINER, REVIEWER], jurisdiction=org.district)
    case = build_case(library, title="自己写的案例", owner=author, authors=[author])
    submit_for_review(case, acting_user=author)
    task = CaseReviewTask.objects.get()
    assert task.get_actions(case, author) == []
    with pytest.raises(PermissionDenied):
        approve_case(case, acting_user=author)
    task_state = case.current_workflow_state.current_task_state
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, author, "approve")
    assert not CasePage.objects.get(pk=case.pk).live


def test_listed_co_author_cannot_approve(draft, trainer, reviewer):
    draft.authors.add(reviewer)
    submit_for_review(draft, acting_user=trainer)
    with pytest.raises(PermissionDenied):
        approve_case(draft, acting_user=reviewer)


def test_author_superuser_cannot_publish_directly(library, admin, client_for):
    case = build_case(library, title="管理员写的案例", owner=admin, authors=[admin])
    with pytest.raises(PublishPagePermissionError):
        case.get_latest_revision().publish(user=admin)
    client = client_for(admin)
    edit = reverse("wagtailadmin_pages:edit", args=(case.pk,))
    response = client.post(
        edit, _admin_form("管理员写的案例", slug=case.slug, **{"action-publish": "1"})
    )
    assert response.status_code == 302
    assert not CasePage.objects.get(pk=case.pk).live


def test_learner_cannot_approve(draft, trainer, learner):
    submit_for_review(draft, acting_user=trainer)
    with pytest.raises(PermissionDenied):
        approve_case(draft, acting_user=learner)
    assert CaseReviewTask.objects.get().get_actions(draft, learner) == []


def test_reviewer_outside_jurisdiction_cannot_approve(draft, trainer, org):
    outsider = UserFactory(username="rev-b", roles=[REVIEWER], jurisdiction=org.street_b)
    submit_for_review(draft, acting_user=trainer)
    with pytest.raises(PermissionDenied):
        approve_case(draft, acting_user=outsider)


def test_reject_needs_a_comment_and_keeps_case_unpublished(draft, trainer, reviewer):
    submit_for_review(draft, acting_user=trainer)
    with pytest.raises(ValidationError):
        reject_case(draft, acting_user=reviewer, comment="  ")
    case = reject_case(draft, acting_user=reviewer, comment="请补充成效数据来源。")
    assert not case.live
    state = WorkflowState.objects.get(object_id=str(case.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = TaskState.objects.get(workflow_state=state)
    assert rejected.status == TaskState.STATUS_REJECTED
    assert rejected.comment == "请补充成效数据来源。"
    assert not CaseAcceptance.objects.filter(case=case).exists()


def test_admin_reject_without_comment_does_nothing(draft, trainer, reviewer, client_for):
    submit_for_review(draft, acting_user=trainer)
    task_state = draft.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(draft.pk, "reject", task_state.pk))
    client_for(reviewer).post(url, {"comment": ""})
    assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_IN_PROGRESS
    client_for(reviewer).post(url, {"comment": "步骤缺少法规依据"})
    assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_REJECTED


def test_cannot_submit_twice(draft, trainer):
    submit_for_review(draft, acting_user=trainer)
    with pytest.raises(ValidationError):
        submit_for_review(draft, acting_user=trainer)

"""Every write on cases: drafts from the site (投稿), review, acceptance, 有用 marks.

Views, the Wagtail admin hooks, the demo seeder and tests call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import TaskState

from .models import CaseAcceptance, CaseIndexPage, CasePage, ScenarioType, UsefulMark
from .rules import can_review_case, is_author, review_level_for


@dataclass
class DraftInput:
    """What the mobile 投稿 form collects."""

    title: str
    scenario_type: str
    background: str
    steps: list[str] = field(default_factory=list)
    outcome: str = ""
    lessons: str = ""


def _library() -> CaseIndexPage:
    index = CaseIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The case library has not been set up yet."))
    return index


@transaction.atomic
def submit_case_draft(data: DraftInput, *, acting_user) -> CasePage:
    """A grid worker's submission: saved as a draft (never live) for trainers to work on."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied
    if data.scenario_type not in ScenarioType.values:
        raise ValidationError(_("Choose a scenario type."))
    steps = [s.strip() for s in data.steps if s.strip()]
    if not data.title.strip() or not data.background.strip() or not steps:
        raise ValidationError(_("Title, background and at least one step are required."))
    index = _library()
    page = CasePage(
        title=data.title.strip()[:255],
        scenario_type=data.scenario_type,
        background=data.background.strip(),
        steps=[("step", {"action": s, "tools": "", "legal_basis": ""}) for s in steps[:12]],
        outcome=data.outcome.strip() or _("(to be completed by the trainer)"),
        lessons=data.lessons.strip() or _("(to be completed by the trainer)"),
        live=False,
        owner=acting_user,
    )
    worker = getattr(acting_user, "worker", None)
    if worker is not None:
        page.origin_org_unit_id = worker.org_unit_id
    index.add_child(instance=page)
    page.authors.set([acting_user])
    page.save()
    page.save_revision(user=acting_user, log_action=True)
    log(page, "casebank.submit_draft", user=acting_user, data={"title": page.title})
    return page


@transaction.atomic
def submit_for_review(case: CasePage, *, acting_user) -> None:
    """Start the 「案例审核」 workflow on the latest revision of ``case``."""
    workflow = case.get_workflow()
    if workflow is None:
        raise ValidationError(_("No review workflow is configured for cases."))
    if case.workflow_in_progress:
        raise ValidationError(_("This case is already in review."))
    if case.get_latest_revision() is None:
        case.save_revision(user=acting_user)
    workflow.start(case, acting_user)
    log(case, "casebank.submit_for_review", user=acting_user)


def _current_task_state(case: CasePage) -> TaskState:
    state = case.current_workflow_state
    if state is None or state.current_task_state is None:
        raise ValidationError(_("This case is not in review."))
    return state.current_task_state.specific


def approve_case(case: CasePage, *, acting_user, comment: str = "") -> CasePage:
    """Approve the current review step (publishes the case when it is the last step)."""
    task_state = _current_task_state(case)
    if not can_review_case(acting_user, case):
        raise PermissionDenied(_("You cannot review this case."))
    task_state.task.specific.on_action(task_state, acting_user, "approve", comment=comment)
    return CasePage.objects.get(pk=case.pk)


def reject_case(case: CasePage, *, acting_user, comment: str) -> CasePage:
    """Send the case back to its author with a comment (the case stays unpublished)."""
    if not (comment or "").strip():
        raise ValidationError(_("A rejection needs a comment for the author."))
    task_state = _current_task_state(case)
    if not can_review_case(acting_user, case):
        raise PermissionDenied(_("You cannot review this case."))
    task_state.task.specific.on_action(task_state, acting_user, "reject", comment=comment)
    return CasePage.objects.get(pk=case.pk)


@transaction.atomic
def record_acceptance(case: CasePage, *, acting_user) -> CaseAcceptance:
    """Record that ``case`` was accepted, at the reviewer's level. The first acceptance stands."""
    if is_author(acting_user, case):
        raise PermissionDenied(_("Authors cannot accept their own case."))
    acceptance, created = CaseAcceptance.objects.get_or_create(
        case=case,
        defaults={
            "review_level": review_level_for(acting_user),
            "accepted_by": acting_user,
            "accepted_on": timezone.localdate(),
        },
    )
    if created:
        log(
            case,
            "casebank.accept",
            user=acting_user,
            data={"review_level": acceptance.review_level},
        )
    return acceptance


def mark_useful(case: CasePage, *, acting_user) -> bool:
    """Mark a live case 有用 once per person. Returns False when it was already marked."""
    if not getattr(acting_user, "is_authenticated", False) or not case.live:
        raise PermissionDenied
    try:
        with transaction.atomic():
            UsefulMark.objects.create(case=case, user=acting_user)
            log(case, "casebank.mark_useful", user=acting_user)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def unmark_useful(case: CasePage, *, acting_user) -> bool:
    deleted, _count = UsefulMark.objects.filter(case=case, user=acting_user).delete()
    if deleted:
        log(case, "casebank.unmark_useful", user=acting_user)
    return bool(deleted)

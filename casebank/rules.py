"""Who may review and publish a case. Shared by the review task, the publish guard and services."""

from __future__ import annotations

from people.access import sees_everything
from people.models import OrgLevel, OrgUnit
from people.roles import REVIEWER, has_role

from .models import ReviewLevel


def _specific(case):
    return getattr(case, "specific", case)


def author_ids(case) -> set[int]:
    """Owner, listed authors and whoever submitted the case for review."""
    case = _specific(case)
    ids = {case.owner_id} if case.owner_id else set()
    if case.pk:
        ids.update(a.pk for a in case.authors.all())
        state = case.current_workflow_state
        if state is not None and state.requested_by_id:
            ids.add(state.requested_by_id)
    return ids


def is_author(user, case) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.pk in author_ids(case)


def can_review_case(user, case) -> bool:
    """A reviewer (or superuser) who is not an author, with the case's origin in jurisdiction."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_author(user, case):
        return False
    if sees_everything(user):
        return True
    if not has_role(user, REVIEWER) or user.jurisdiction_id is None:
        return False
    origin = _specific(case).origin_org_unit
    return origin is None or user.jurisdiction.contains(origin)


def review_level_for(user) -> str:
    """街道 when the reviewer's jurisdiction is a street (or below), otherwise 区."""
    unit: OrgUnit | None = getattr(user, "jurisdiction", None)
    if unit is not None and unit.level in {OrgLevel.STREET, OrgLevel.COMMUNITY, OrgLevel.GRID}:
        return ReviewLevel.STREET
    return ReviewLevel.DISTRICT

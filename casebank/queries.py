"""Set-based read points for higher apps (certification, HR). See docs/architecture.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .models import CaseAcceptance, CasePage


class AcceptedCase(NamedTuple):
    case_id: int
    review_level: str  # "street" or "district"
    date: dt.date


def accepted_cases(user_ids: Iterable[int]) -> dict[int, list[AcceptedCase]]:
    """``{user_id: [AcceptedCase(case_id, review_level, date)]}`` for the authors of live,
    accepted cases (the page owner counts when a case lists no authors). Two queries.

    Users without accepted cases are absent from the result.
    """
    ids = set(user_ids)
    result: dict[int, list[AcceptedCase]] = defaultdict(list)
    if not ids:
        return {}
    through = CasePage.authors.through
    by_author = through.objects.filter(
        user_id__in=ids, casepage__live=True, casepage__acceptance__isnull=False
    ).values_list(
        "user_id",
        "casepage_id",
        "casepage__acceptance__review_level",
        "casepage__acceptance__accepted_on",
    )
    by_owner = (
        CaseAcceptance.objects.filter(case__live=True, case__owner_id__in=ids)
        .filter(case__authors__isnull=True)
        .values_list("case__owner_id", "case_id", "review_level", "accepted_on")
    )
    for user_id, case_id, level, date in [*by_author, *by_owner]:
        result[user_id].append(AcceptedCase(case_id, level, date))
    for cases in result.values():
        cases.sort(key=lambda c: (c.date, c.case_id))
    return dict(result)

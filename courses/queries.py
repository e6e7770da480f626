"""Set-based read points for higher apps (certification, HR reports).

Each function answers for any number of users in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from .models import Attendance as AttendanceRecord
from .models import CoursePage, CpdEntry, Enrollment


@dataclass(frozen=True)
class Attendance:
    """One attended offline session: ``kind`` is a ``SessionKind`` value."""

    kind: str
    hours: Decimal
    date: dt.date
    session_id: int


def completed_courses(user_ids: Iterable[int]) -> dict[int, dict[str, dt.date]]:
    """``{user_id: {course_code: completion date}}`` (users with none map to ``{}``)."""
    ids = list(user_ids)
    result: dict[int, dict[str, dt.date]] = {uid: {} for uid in ids}
    rows = (
        Enrollment.objects.filter(user_id__in=ids, completed_at__isnull=False)
        .values_list("user_id", "course__code", "completed_at")
        .order_by()
    )
    for user_id, code, completed_at in rows:
        result[user_id][code] = timezone.localdate(completed_at)
    return result


def cpd_hours(user_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Total ledger hours per user earned between ``start`` and ``end`` (both inclusive)."""
    ids = list(user_ids)
    result = {uid: Decimal("0") for uid in ids}
    rows = (
        CpdEntry.objects.filter(user_id__in=ids, earned_on__gte=start, earned_on__lte=end)
        .values("user_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in rows:
        result[row["user_id"]] = Decimal(row["total"] or 0)
    return result


def attendance(user_ids: Iterable[int]) -> dict[int, list[Attendance]]:
    """Attended sessions per user, oldest first."""
    ids = list(user_ids)
    result: dict[int, list[Attendance]] = {uid: [] for uid in ids}
    rows = (
        AttendanceRecord.objects.filter(user_id__in=ids)
        .values_list(
            "user_id", "session__kind", "session__hours", "session__starts_at", "session_id"
        )
        .order_by("session__starts_at", "id")
    )
    for user_id, kind, hours, starts_at, session_id in rows:
        result[user_id].append(
            Attendance(
                kind=kind,
                hours=Decimal(hours),
                date=timezone.localdate(starts_at),
                session_id=session_id,
            )
        )
    return result


def course_codes_by_category() -> dict[str, set[str]]:
    """Live course codes grouped by category value (e.g. ``"mediation"``)."""
    result: dict[str, set[str]] = defaultdict(set)
    for category, code in CoursePage.objects.live().values_list("category", "code").order_by():
        result[category].add(code)
    return dict(result)

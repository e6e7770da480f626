"""The HR record of each worker, read live and set-based, always inside the viewer's reach.

``records_for(user)`` is the one scoped, annotated queryset behind the admin list, the exports,
the dashboards and the API. ``decorate(workers)`` adds what lives in other apps (CPD hours,
completed courses, simulation results) for a whole page in a fixed number of queries;
``iter_records(qs)`` gives an export the same values as plain rows (``values_list``, no model
instances), chunk by chunk with the same fixed queries per chunk, so neither the page nor an
export of 100,000 rows issues a query per worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.simulations import queries as simulation_queries
from certification.models import Certificate, GradeReviewItem
from courses import queries as course_queries
from people.access import org_units_visible_to, sees_everything, workers_visible_to
from people.models import OrgUnit, WorkerProfile
from people.roles import DISTRICT_ADMIN, HR, has_role

STATUS_CHOICES = [
    ("valid", _("Valid")),
    ("expired", _("Expired")),
    ("revoked", _("Revoked")),
    ("none", _("No certificate")),
]
STATUS_LABELS = dict(STATUS_CHOICES)
ELIGIBILITY_CHOICES = [
    ("eligible", _("Eligible")),
    ("blocked", _("Blocked")),
    ("none", _("Not in a review")),
]


def can_view_records(user) -> bool:
    """HR and district admins with a jurisdiction, and superusers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_everything(user):
        return True
    return has_role(user, HR, DISTRICT_ADMIN) and user.jurisdiction_id is not None


def can_view_audit(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_everything(user):
        return True
    return has_role(user, DISTRICT_ADMIN) and user.jurisdiction_id is not None


def annotate_records(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Current certificate (valid ones first, then the highest level) and the latest review."""
    on = on or timezone.localdate()
    valid = Q(revoked_on__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    current = (
        Certificate.objects.filter(
            worker=OuterRef("pk"), level__is_badge=False, superseded_on__isnull=True
        )
        .annotate(
            _valid=Case(When(valid, then=Value(1)), default=Value(0), output_field=IntegerField()),
            _status=Case(
                When(revoked_on__isnull=False, then=Value("revoked")),
                When(expires_on__lt=on, then=Value("expired")),
                default=Value("valid"),
                output_field=CharField(),
            ),
        )
        .order_by("-_valid", "-level__rank", "-issued_on", "-pk")
    )
    item = GradeReviewItem.objects.filter(worker=OuterRef("pk")).order_by(
        "-review__review_date", "-review_id"
    )
    return qs.annotate(
        cert_id=Subquery(current.values("pk")[:1]),
        cert_level=Subquery(current.values("level__code")[:1]),
        cert_number=Subquery(current.values("number")[:1]),
        cert_expires_on=Subquery(current.values("expires_on")[:1]),
        cert_status=Coalesce(
            Subquery(current.values("_status")[:1]), Value("none"), output_field=CharField()
        ),
        review_eligible=Subquery(item.values("eligible")[:1], output_field=BooleanField()),
        review_proposed=Subquery(item.values("proposed_grade")[:1]),
        review_date=Subquery(item.values("review__review_date")[:1]),
    )


def records_for(user, on: dt.date | None = None) -> QuerySet:
    """Workers ``user`` may see as HR, with their record annotations; empty for anyone else."""
    if not can_view_records(user):
        return WorkerProfile.objects.none()
    return annotate_records(workers_visible_to(user), on).order_by("employee_no")


def records_in_subtree(unit: OrgUnit, on: dt.date | None = None) -> QuerySet:
    """Workers of an org subtree (API tokens are bound to one)."""
    qs = WorkerProfile.objects.in_subtree(unit).with_related()
    return annotate_records(qs, on).order_by("employee_no")


def filter_subtree(qs: QuerySet, unit: OrgUnit) -> QuerySet:
    return qs.filter(org_unit__path__startswith=unit.path)


def filter_status(qs: QuerySet, status: str) -> QuerySet:
    return qs.filter(cert_status=status)


def filter_expiring(qs: QuerySet, days: int, on: dt.date | None = None) -> QuerySet:
    on = on or timezone.localdate()
    return qs.filter(
        cert_status="valid", cert_expires_on__gte=on, cert_expires_on__lte=on + dt.timedelta(days)
    )


def filter_eligibility(qs: QuerySet, value: str) -> QuerySet:
    if value == "eligible":
        return qs.filter(review_eligible=True)
    if value == "blocked":
        return qs.filter(review_eligible=False)
    return qs.filter(review_eligible__isnull=True)


def search(qs: QuerySet, text: str) -> QuerySet:
    text = (text or "").strip()[:50]
    if not text:
        return qs
    return qs.filter(Q(user__name__icontains=text) | Q(employee_no__icontains=text))


class OrgIndex:
    """All org units a viewer may see, loaded once, so names of a unit's street and community
    cost no query per row (treebeard paths: the ancestors are prefixes of the path)."""

    def __init__(self, units: Iterable[OrgUnit]):
        self.by_path = {u.path: u for u in units}
        self.steplen = OrgUnit.steplen
        self._columns: dict[str, tuple[str, str, str]] = {}

    @classmethod
    def for_user(cls, user) -> OrgIndex:
        return cls(org_units_visible_to(user).only("path", "depth", "name", "level", "code"))

    @classmethod
    def for_subtree(cls, unit: OrgUnit) -> OrgIndex:
        return cls(OrgUnit.objects.subtree_of(unit).only("path", "depth", "name", "level", "code"))

    def at_depth(self, unit: OrgUnit, depth: int) -> str:
        if unit.depth < depth:
            return ""
        ancestor = self.by_path.get(unit.path[: depth * self.steplen])
        return ancestor.name if ancestor else ""

    def full_name(self, unit: OrgUnit) -> str:
        names = []
        for depth in range(3, unit.depth + 1):
            ancestor = self.by_path.get(unit.path[: depth * self.steplen])
            names.append(ancestor.name if ancestor else unit.name)
        return " / ".join(names) or unit.name

    def columns(self, path: str, depth: int, name: str) -> tuple[str, str, str]:
        """(street, community, full name) of a unit, worked out once per unit of an export."""
        found = self._columns.get(path)
        if found is None:
            unit = OrgUnit(path=path, depth=depth, name=name)
            found = self._columns[path] = (
                self.at_depth(unit, 3),
                self.at_depth(unit, 4),
                self.full_name(unit),
            )
        return found


@dataclass
class Extras:
    cpd_this_year: Decimal
    cpd_last_year: Decimal
    courses: dict[str, dt.date]
    simulations: dict


def extras_for(workers: list[WorkerProfile], on: dt.date | None = None) -> dict[int, Extras]:
    """CPD hours this year and last, completed courses and best simulation results: 4 queries."""
    by_user = _extras_by_user([w.user_id for w in workers], on)
    return {w.pk: by_user[w.user_id] for w in workers}


def _extras_by_user(user_ids: list[int], on: dt.date | None = None) -> dict[int, Extras]:
    on = on or timezone.localdate()
    if not user_ids:
        return {}
    this_year = course_queries.cpd_hours(user_ids, dt.date(on.year, 1, 1), dt.date(on.year, 12, 31))
    last_year = course_queries.cpd_hours(
        user_ids, dt.date(on.year - 1, 1, 1), dt.date(on.year - 1, 12, 31)
    )
    courses = course_queries.completed_courses(user_ids)
    sims = simulation_queries.best_results(user_ids)
    return {
        uid: Extras(
            cpd_this_year=Decimal(this_year.get(uid) or 0),
            cpd_last_year=Decimal(last_year.get(uid) or 0),
            courses=courses.get(uid) or {},
            simulations=sims.get(uid) or {},
        )
        for uid in user_ids
    }


def simulations_text(simulations: dict) -> str:
    parts = []
    for key in sorted(simulations):
        r = simulations[key]
        mark = "✓" if r.passed and not r.red_line else "✗"
        parts.append(f"{key} {Decimal(r.overall).normalize():f}{mark}")
    return "；".join(parts)


def decorate(workers: list[WorkerProfile], on: dt.date | None = None) -> list[WorkerProfile]:
    """Attach ``extras`` (an ``Extras`` or None) and display helpers to annotated workers."""
    extras = extras_for(workers, on)
    for w in workers:
        e = w.extras = extras.get(w.pk)
        w.cpd_this_year = e.cpd_this_year if e else Decimal("0")
        w.cpd_last_year = e.cpd_last_year if e else Decimal("0")
        w.courses_completed = len(e.courses) if e else 0
        w.simulations_text = simulations_text(e.simulations) if e else ""
        w.status_label = STATUS_LABELS.get(getattr(w, "cert_status", "none"), "")
        w.eligibility_label = eligibility_label(w)
    return workers


def eligibility_label(w) -> str:
    eligible = getattr(w, "review_eligible", None)
    if eligible is None:
        return ""
    if eligible:
        return str(_("Eligible for grade %(g)s") % {"g": w.review_proposed})
    return str(_("Blocked"))


def iter_decorated(qs: QuerySet, chunk: int = 500) -> Iterator[WorkerProfile]:
    """Every record of ``qs`` in employee-number order, decorated chunk by chunk (model
    instances, for callers that need them; exports read plain rows with ``iter_records``)."""
    for batch in _keyset_chunks(qs.order_by("employee_no"), chunk):
        yield from decorate(batch)


def _keyset_chunks(qs: QuerySet, chunk: int) -> Iterator[list]:
    """Keyset pagination (``employee_no > last``, ``LIMIT chunk``): each chunk is a fresh,
    short query, so memory stays flat for any number of rows, no server-side cursor is held
    open for the whole download, and a chunk costs the same queries whatever its position.
    Rows are model instances or ``RECORD_COLUMNS`` tuples, whichever ``qs`` gives."""
    last = None
    while True:
        page = qs if last is None else qs.filter(employee_no__gt=last)
        batch = list(page[:chunk])
        if not batch:
            return
        yield batch
        if len(batch) < chunk:
            return
        last = _employee_no(batch[-1])


def _employee_no(row) -> str:
    return row.employee_no if isinstance(row, WorkerProfile) else row[_EMPLOYEE_NO]


# The columns of an export row, straight from the database: no model instances, and only the
# record annotations an export shows (the others stay out of the SELECT; filters on them still
# apply in the WHERE clause).
RECORD_COLUMNS = (
    "user_id",
    "employee_no",
    "user__name",
    "org_unit__path",
    "org_unit__depth",
    "org_unit__name",
    "post",
    "grade",
    "user__mobile",
    "id_number",
    "cert_level",
    "cert_number",
    "cert_expires_on",
    "cert_status",
    "review_eligible",
    "review_proposed",
)
_EMPLOYEE_NO = RECORD_COLUMNS.index("employee_no")


@dataclass(slots=True)
class Record:
    """One worker's HR record as an export writes it (``decorate`` gives the same values on
    model instances for the admin list)."""

    employee_no: str
    name: str
    unit_path: str
    unit_depth: int
    unit_name: str
    post: str
    grade: int
    mobile: str
    id_number: str
    cert_level: str | None
    cert_number: str | None
    cert_expires_on: dt.date | None
    cert_status: str
    review_eligible: bool | None
    review_proposed: int | None
    cpd_this_year: Decimal
    cpd_last_year: Decimal
    courses_completed: int
    simulations_text: str


class Labels:
    """The translated texts an export repeats on every row, each translated once."""

    def __init__(self):
        self.post = {
            value: str(label) for value, label in WorkerProfile._meta.get_field("post").flatchoices
        }
        self.status = {key: str(label) for key, label in STATUS_LABELS.items()}
        self.eligible = str(_("Eligible for grade %(g)s"))
        self.blocked = str(_("Blocked"))

    def eligibility(self, eligible: bool | None, proposed) -> str:
        if eligible is None:
            return ""
        return self.eligible % {"g": proposed} if eligible else self.blocked


def iter_records(qs: QuerySet, chunk: int = 500, on: dt.date | None = None) -> Iterator[Record]:
    """Every record of ``qs`` (an annotated ``records_for``/``records_in_subtree`` queryset,
    filtered or not) in employee-number order, as plain ``Record`` rows.

    Per chunk: one query for the rows (``values_list``) and the 4 of ``extras_for``, whatever
    the chunk size or position.
    """
    qs = qs.order_by("employee_no").values_list(*RECORD_COLUMNS)
    for batch in _keyset_chunks(qs, chunk):
        extras = _extras_by_user([row[0] for row in batch], on)
        for row in batch:
            e = extras[row[0]]
            yield Record(
                *row[1:],
                cpd_this_year=e.cpd_this_year,
                cpd_last_year=e.cpd_last_year,
                courses_completed=len(e.courses),
                simulations_text=simulations_text(e.simulations) if e.simulations else "",
            )

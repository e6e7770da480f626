"""Writes to people records. Views, admin, commands and the demo seeder all come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .access import can_see_worker, org_units_visible_to
from .importing import CleanRow, RowProblem, parse_roster, validate_roster
from .models import POST_GRADE_RANGE, GradeRecord, User, WorkerProfile
from .roles import LEARNER, assign_role


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_error


def import_workers(uploaded, filename: str, *, acting_user: User) -> ImportReport:
    """Validate a roster file, then upsert every row by employee number in one transaction.

    A file with any bad row imports nothing; the report lists every problem. Importing the same
    file again changes nothing.
    """
    if not acting_user.has_perm("people.import_workers"):
        raise PermissionDenied
    from .importing import RosterFileError

    try:
        rows = parse_roster(uploaded, filename)
    except RosterFileError as exc:
        return ImportReport(file_error=str(exc))
    validation = validate_roster(rows, org_units_visible_to(acting_user))
    if not validation.ok:
        return ImportReport(problems=validation.problems)

    report = ImportReport()
    with transaction.atomic():
        existing = {
            w.employee_no: w
            for w in WorkerProfile.objects.select_related("user").filter(
                employee_no__in=[r.employee_no for r in validation.rows]
            )
        }
        for row in validation.rows:
            worker = existing.get(row.employee_no)
            if worker is None:
                _create_worker(row, acting_user)
                report.created += 1
            elif _update_worker(worker, row, acting_user):
                report.updated += 1
            else:
                report.unchanged += 1
    return report


def _create_worker(row: CleanRow, acting_user: User) -> WorkerProfile:
    user = User(username=row.employee_no, name=row.name, mobile=row.mobile)
    user.set_unusable_password()
    user.save()
    assign_role(user, LEARNER)
    worker = WorkerProfile.objects.create(
        user=user,
        employee_no=row.employee_no,
        org_unit=row.org_unit,
        post=row.post,
        grade=row.grade,
        service_start_date=row.service_start_date,
        education=row.education,
        sw_qualification=row.sw_qualification,
        sw_qualification_date=row.sw_qualification_date,
        id_number=row.id_number,
    )
    GradeRecord.objects.create(
        worker=worker,
        grade=row.grade,
        post=row.post,
        effective_date=timezone.localdate(),
        reason=_("Initial grade from roster import"),
        created_by=acting_user,
    )
    log(worker, "people.worker_imported", user=acting_user, data={"created": True})
    return worker


def _update_worker(worker: WorkerProfile, row: CleanRow, acting_user: User) -> bool:
    user = worker.user
    user_changes = {"name": row.name, "mobile": row.mobile}
    worker_changes = {
        "org_unit_id": row.org_unit.pk,
        "service_start_date": row.service_start_date,
        "education": row.education,
        "sw_qualification": row.sw_qualification,
        "sw_qualification_date": row.sw_qualification_date,
        "id_number": row.id_number,
    }
    changed_user = [k for k, v in user_changes.items() if getattr(user, k) != v]
    changed_worker = [k for k, v in worker_changes.items() if getattr(worker, k) != v]
    grade_changed = worker.grade != row.grade or worker.post != row.post
    if not (changed_user or changed_worker or grade_changed):
        return False
    for k in changed_user:
        setattr(user, k, user_changes[k])
    if changed_user:
        user.save(update_fields=changed_user)
    for k in changed_worker:
        setattr(worker, k, worker_changes[k])
    if changed_worker:
        worker.save(update_fields=[*changed_worker, "updated_at"])
    if grade_changed:
        change_grade(
            worker,
            grade=row.grade,
            post=row.post,
            effective_date=timezone.localdate(),
            reason=_("Roster import"),
            acting_user=acting_user,
        )
    fields = [f.removesuffix("_id") for f in changed_user + changed_worker]
    log(worker, "people.worker_imported", user=acting_user, data={"changed": fields})
    return True


def change_grade(
    worker: WorkerProfile,
    *,
    grade: int,
    effective_date: dt.date,
    reason: str,
    acting_user: User | None,
    post: str | None = None,
) -> GradeRecord:
    """Set a worker's grade (and optionally post), writing grade history and the audit log."""
    post = post or worker.post
    lo, hi = POST_GRADE_RANGE[post]
    if not lo <= grade <= hi:
        raise ValidationError(
            _("Grade %(grade)s is outside the range %(lo)s–%(hi)s of this post.")
            % {"grade": grade, "lo": lo, "hi": hi}
        )
    with transaction.atomic():
        locked = WorkerProfile.objects.select_for_update().get(pk=worker.pk)
        before = (locked.grade, locked.post)
        locked.grade, locked.post = grade, post
        locked.save(update_fields=["grade", "post", "updated_at"])
        record = GradeRecord.objects.create(
            worker=locked,
            grade=grade,
            post=post,
            effective_date=effective_date,
            reason=reason,
            created_by=acting_user,
        )
        log(
            locked,
            "people.grade_changed",
            user=acting_user,
            data={
                "from_grade": before[0],
                "to_grade": grade,
                "from_post": before[1],
                "to_post": post,
                "effective_date": effective_date.isoformat(),
                "reason": reason,
            },
        )
    worker.grade, worker.post = grade, post
    return record


def reveal_personal_data(worker: WorkerProfile, *, acting_user: User, reason: str = "") -> dict:
    """Unmasked mobile and ID number for one worker, for one request. Audit-logged."""
    if not acting_user.has_perm("people.unmask_personal_data") or not can_see_worker(
        acting_user, worker
    ):
        raise PermissionDenied
    log(worker, "people.personal_data_revealed", user=acting_user, data={"reason": reason})
    return {"mobile": worker.user.mobile or "", "id_number": worker.id_number}

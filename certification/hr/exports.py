"""CSV and XLSX exports of the HR records: streamed, masked by default, formula-safe, audited.

A small export streams straight to the browser (CSV through ``StreamingHttpResponse``; XLSX
written to a temporary file that is then streamed: openpyxl writes the package, the data rows
are serialised here). Rows come from ``records.iter_records`` as plain values, chunk by chunk,
with every repeated label translated once per export. A large one
(more rows than ``GA_HR_EXPORT_SYNC_LIMIT``) runs as a Celery task that writes the file under
``MEDIA_ROOT/hr-exports`` (never served by URL), shows its progress, and offers a download link
until the file expires. Either way, the export is an ``ExportJob`` row with an audit entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import string
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from people.masking import mask_id_number, mask_mobile

from . import records
from .filters import filtered_records
from .models import ExportJob

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
logger = logging.getLogger(__name__)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def headings() -> list[str]:
    return [
        _("Employee number"),
        _("Name"),
        _("Street"),
        _("Community"),
        _("Org unit"),
        _("Post"),
        _("Grade"),
        _("Mobile"),
        _("ID number"),
        _("Certification level"),
        _("Certificate number"),
        _("Certificate status"),
        _("Expires on"),
        _("CPD hours this year"),
        _("CPD hours last year"),
        _("Courses completed"),
        _("Best simulation results"),
        _("Grade review"),
    ]


def row_for(
    r: records.Record, index: records.OrgIndex, labels: records.Labels, unmasked: bool
) -> list:
    mobile = r.mobile or ""
    id_number = r.id_number or ""
    if not unmasked:
        mobile, id_number = mask_mobile(mobile), mask_id_number(id_number)
    street, community, unit = index.columns(r.unit_path, r.unit_depth, r.unit_name)
    post = labels.post.get(r.post, r.post)
    return [
        r.employee_no,
        r.name,
        street,
        community,
        unit,
        post,
        r.grade,
        mobile,
        id_number,
        r.cert_level or "",
        r.cert_number or "",
        labels.status.get(r.cert_status, ""),
        r.cert_expires_on.isoformat() if r.cert_expires_on else "",
        _num(r.cpd_this_year),
        _num(r.cpd_last_year),
        r.courses_completed,
        r.simulations_text,
        labels.eligibility(r.review_eligible, r.review_proposed),
    ]


def _num(value: Decimal) -> float | int:
    value = Decimal(value or 0)
    return int(value) if value == value.to_integral_value() else float(value)


def iter_rows(qs, index, *, unmasked: bool = False) -> Iterator[list]:
    """Export rows, formula-neutralised. Labels are translated once per export, not per cell."""
    labels = records.Labels()
    for r in records.iter_records(qs):
        # ``neutralise`` inlined: it runs on every cell of every row.
        yield [
            "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            for v in row_for(r, index, labels, unmasked)
        ]


class _Echo:
    def write(self, value):
        return value


def stream_csv(qs, index, *, unmasked: bool = False, on_row=None) -> Iterator[bytes]:
    """CSV line by line; a BOM first so Excel opens the Chinese text as UTF-8."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(headings())).encode("utf-8")
    for n, row in enumerate(iter_rows(qs, index, unmasked=unmasked), start=1):
        if on_row:
            on_row(n)
        yield writer.writerow(row).encode("utf-8")


def write_xlsx(qs, index, output, *, unmasked: bool = False, on_row=None) -> int:
    """The records as a one-sheet workbook; returns the number of rows."""
    rows = iter_rows(qs, index, unmasked=unmasked)
    return write_sheet(output, _("Records")[:31], headings(), rows, on_row=on_row)


SHEET_PART = "xl/worksheets/sheet1.xml"
_XLSX_FLUSH_ROWS = 500


def write_sheet(output, title: str, heading: list[str], rows, *, on_row=None) -> int:
    """Write-only workbook whose data rows are serialised here, not cell by cell by openpyxl.

    openpyxl writes the package (workbook, styles, theme, properties) and the heading row; the
    data rows go into its sheet part as the very XML openpyxl's write-only mode gives them
    (inline strings, ``t="n"`` numbers), streamed to the zip in blocks, so memory stays flat.
    Without lxml, openpyxl builds an element per cell: most of an export's time went there.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(heading)
    package = io.BytesIO()
    workbook.save(package)
    count = 0
    with (
        zipfile.ZipFile(package) as src,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename != SHEET_PART:
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with dst.open(SHEET_PART, "w", force_zip64=True) as part:
                part.write(head)
                block = []
                for count, row in enumerate(rows, start=1):
                    block.append(_row_xml(count + 1, row))
                    if on_row:
                        on_row(count)
                    if len(block) == _XLSX_FLUSH_ROWS:
                        part.write("".join(block).encode("utf-8"))
                        block.clear()
                part.write("".join(block).encode("utf-8"))
                part.write(b"</sheetData>" + tail)
    return count


_COLUMN_LETTERS = string.ascii_uppercase  # an export has fewer than 27 columns
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # as openpyxl refuses
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def _row_xml(r: int, row: list) -> str:
    """One ``<row>`` exactly as openpyxl's write-only worksheet writes plain values, except that
    a text is never a formula (formula-like texts are neutralised before they get here)."""
    parts = [f'<row r="{r}">']
    for letter, value in zip(_COLUMN_LETTERS, row, strict=False):
        if value is None:
            continue
        ref = f"{letter}{r}"
        if isinstance(value, str):
            if not value:
                parts.append(f'<c r="{ref}" t="inlineStr" />')
                continue
            value = value[:32767]
            if _ILLEGAL_XML.search(value):
                from openpyxl.utils.exceptions import IllegalCharacterError

                raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
            if value in _ERROR_CODES:
                parts.append(f'<c r="{ref}" t="e"><v>{value}</v></c>')
                continue
            text = value
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>')
        else:
            raise TypeError(f"an export cell cannot hold {type(value).__name__}")
    parts.append("</row>")
    return "".join(parts)


class ExportError(Exception):
    pass


def sync_limit() -> int:
    return getattr(settings, "GA_HR_EXPORT_SYNC_LIMIT", 20_000)


def start_export(
    params: dict, fmt: str, *, acting_user, unmasked: bool = False
) -> tuple[ExportJob, object]:
    """Check, count, record and audit one export; (job, queryset).

    The caller streams the queryset when ``job.status`` is "streamed", or the task writes the
    file when it is "pending".
    """
    if not records.can_view_records(acting_user):
        raise PermissionDenied
    if unmasked and not acting_user.has_perm("people.unmask_personal_data"):
        raise PermissionDenied
    if fmt not in ExportJob.Format.values:
        raise ExportError(_("Unknown export format."))
    qs, errors = filtered_records(acting_user, params)
    if errors:
        raise ExportError(_("Some filters are not valid; correct them and export again."))
    count = qs.count()
    large = count > sync_limit()
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=acting_user,
            format=fmt,
            filters=params,
            unmasked=unmasked,
            status=ExportJob.Status.PENDING if large else ExportJob.Status.STREAMED,
            row_count=count,
            rows_written=0 if large else count,
            finished_at=None if large else timezone.now(),
        )
        log(
            job,
            "hr.exported",
            user=acting_user,
            data={
                "format": fmt,
                "filters": params,
                "row_count": count,
                "unmasked": unmasked,
                "background": large,
            },
        )
        if large:
            from .tasks import run_export

            transaction.on_commit(lambda: run_export.delay(job.pk))
    return job, qs


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "hr-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "GA_HR_EXPORT_TTL_HOURS", 24))


def run_export_job(job_id: int) -> None:
    """Write the file of a background export. Idempotent: a finished job is left alone, and a
    job that was interrupted starts its file again from the top."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
            return
        job.status = ExportJob.Status.RUNNING
        job.rows_written = 0
        job.save(update_fields=["status", "rows_written"])
    qs, errors = filtered_records(job.user, job.filters)
    if errors or qs is None:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
        return
    index = records.OrgIndex.for_user(job.user)
    name = f"{job.key}.{job.format}"
    final = export_dir() / name
    step = max(500, job.row_count // 100)

    def progress(n: int) -> None:
        if n % step == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_written=n)

    with tempfile.NamedTemporaryFile(dir=export_dir(), suffix=".part", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            if job.format == ExportJob.Format.CSV:
                written = 0
                for chunk in stream_csv(qs, index, unmasked=job.unmasked, on_row=progress):
                    tmp.write(chunk)
                    written += 1
                rows = max(0, written - 1)
            else:
                rows = write_xlsx(qs, index, tmp, unmasked=job.unmasked, on_row=progress)
        except Exception as exc:
            tmp_path.unlink(missing_ok=True)
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
            # The exception type only: a message could quote personal data.
            logger.error("hr: export job %s failed (%s)", job.pk, type(exc).__name__)
            raise
    tmp_path.replace(final)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_written=rows,
        row_count=rows,
        file_name=name,
        finished_at=now,
        expires_at=now + export_ttl(),
    )


def file_of(job: ExportJob) -> Path | None:
    if not job.file_name:
        return None
    path = export_dir() / job.file_name
    return path if path.exists() else None


def purge_expired_exports(now: dt.datetime | None = None) -> int:
    """Delete export files past their expiry (the audit entries stay)."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        path = file_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["status"])
        purged += 1
    return purged

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from certification.hr import exports, records
from certification.hr.models import ExportJob

from .conftest import body

pytestmark = pytest.mark.django_db


def _csv_rows(response):
    return list(csv.reader(io.StringIO(body(response))))


def test_csv_export_is_streamed_scoped_masked_and_audited(
    client_for, hr_street_a, worker_a, worker_b, certified
):
    response = client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv", "post": ""})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [worker_a.employee_no]
    assert "B0001" not in body(
        client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv"})
    )
    row = rows[1]
    assert "139****5678" in row and "110101********1234" in row
    assert "13912345678" not in "".join(row)
    entry = ModelLogEntry.objects.filter(action="hr.exported").first()
    assert entry.user_id == hr_street_a.pk
    assert entry.data["row_count"] == 1 and entry.data["format"] == "csv"
    assert entry.data["unmasked"] is False


def test_export_records_filters_in_the_audit(client_for, hr_street_a, org, worker_a, certified):
    client_for(hr_street_a).get(
        reverse("hr_records"), {"export": "csv", "status": "valid", "org_unit": org.street_a.pk}
    )
    job = ExportJob.objects.get()
    assert job.filters == {"status": "valid", "org_unit": str(org.street_a.pk)}
    entry = ModelLogEntry.objects.get(action="hr.exported")
    assert entry.data["filters"] == job.filters and entry.object_id == str(job.pk)


def test_xlsx_export_matches_the_list(client_for, hr_street_a, worker_a, make_workers, certified):
    make_workers(4)
    response = client_for(hr_street_a).get(reverse("hr_records"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    got = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = list(records.records_for(hr_street_a).values_list("employee_no", flat=True))
    assert got == expected and "B0001" not in got
    assert ModelLogEntry.objects.filter(action="hr.exported").count() == 1


def test_formula_injection_is_neutralised(client_for, hr_street_a, make_workers):
    make_workers(1, user__name='=HYPERLINK("http://x")')
    make_workers(1, user__name="@SUM(A1)")
    rows = _csv_rows(client_for(hr_street_a).get(reverse("hr_records"), {"export": "csv"}))
    names = {r[1] for r in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names and "'@SUM(A1)" in names
    response = client_for(hr_street_a).get(reverse("hr_records"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "'@SUM(A1)" in values
    for prefix in ("=", "+", "-", "@"):
        assert exports.neutralise(prefix + "1") == "'" + prefix + "1"
    assert exports.neutralise("正常") == "正常" and exports.neutralise(5) == 5


def test_unmasked_export_needs_permission(client_for, hr_street_a, worker_a, grant):
    client = client_for(hr_street_a)
    response = client.get(reverse("hr_records"), {"export": "csv", "unmask": "1"})
    assert response.status_code in (302, 403)
    assert not ExportJob.objects.exists()
    grant(hr_street_a, "people.unmask_personal_data")
    rows = _csv_rows(client.get(reverse("hr_records"), {"export": "csv", "unmask": "1"}))
    assert "13912345678" in rows[1]
    assert ModelLogEntry.objects.get(action="hr.exported").data["unmasked"] is True


def test_invalid_filter_exports_nothing(client_for, hr_street_a, worker_a):
    response = client_for(hr_street_a).get(
        reverse("hr_records"), {"export": "csv", "expiring_within": "abc"}
    )
    assert response.status_code == 302
    assert not ExportJob.objects.exists()


def test_learner_cannot_export(client_for, learner):
    response = client_for(learner).get(reverse("hr_records"), {"export": "csv"})
    assert response.status_code in (302, 403)
    assert not ExportJob.objects.exists()


def test_large_export_runs_in_background_with_progress_and_expiry(
    client_for,
    hr_street_a,
    hr_street_b,
    worker_a,
    make_workers,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.GA_HR_EXPORT_SYNC_LIMIT = 2
    make_workers(3)
    client = client_for(hr_street_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("hr_records"), {"export": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.key}/")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == 4 and job.progress == 100
    assert ModelLogEntry.objects.get(action="hr.exported").data["background"] is True
    html = body(client.get(reverse("hr_export", args=[job.key])))
    assert reverse("hr_export_download", args=[job.key]) in html
    download = client.get(reverse("hr_export_download", args=[job.key]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 5 and "B0001" not in {r[0] for r in rows}
    # Running the task again changes nothing (idempotent).
    exports.run_export_job(job.pk)
    assert ExportJob.objects.get().status == ExportJob.Status.DONE
    # Someone else's export is not found.
    other = client_for(hr_street_b)
    assert other.get(reverse("hr_export_download", args=[job.key])).status_code == 404
    # After expiry the file is gone and the link answers 404.
    from django.utils import timezone

    ExportJob.objects.update(expires_at=timezone.now())
    assert exports.purge_expired_exports() == 1
    assert not exports.file_of(ExportJob.objects.get())
    client = client_for(hr_street_a)
    assert client.get(reverse("hr_export_download", args=[job.key])).status_code == 404


def test_export_streams_in_chunks_with_flat_queries(
    hr_street_a, make_workers, django_assert_max_num_queries
):
    """Rows are decorated 500 at a time: queries grow with chunks, never with rows."""
    make_workers(30)
    qs = records.records_for(hr_street_a)
    index = records.OrgIndex.for_user(hr_street_a)
    with django_assert_max_num_queries(8):
        lines = list(exports.stream_csv(qs, index))
    assert len(lines) == 31


def test_background_export_with_filters_gone_bad_fails_visibly(client_for, hr_street_a):
    job = ExportJob.objects.create(
        user=hr_street_a,
        format="csv",
        filters={"expiring_within": "abc"},
        status=ExportJob.Status.PENDING,
        row_count=10,
    )
    exports.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.downloadable
    html = body(client_for(hr_street_a).get(reverse("hr_export", args=[job.key])))
    assert reverse("hr_export_download", args=[job.key]) not in html


def test_export_does_not_load_the_list_first(client_for, hr_street_a, make_workers):
    """Before the first byte is streamed, rows are only counted, never fetched."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_workers(40)
    client = client_for(hr_street_a)
    with CaptureQueriesContext(connection) as before:
        response = client.get(reverse("hr_records"), {"export": "csv"})
    fetched = [
        q["sql"]
        for q in before.captured_queries
        if "certification_certificate" in q["sql"] and "COUNT(" not in q["sql"].upper()
    ]
    assert response.streaming and fetched == []
    with CaptureQueriesContext(connection) as during:
        assert len(body(response).splitlines()) == 41
    assert any("certification_certificate" in q["sql"] for q in during.captured_queries)

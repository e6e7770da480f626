"""Export rows are built from plain database rows (no model instances, labels translated once)
and must say exactly what the decorated records of the admin list say; queries are a fixed
number per chunk, and the admin list issues no query per row."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.simulations.queries import SimResult
from certification.hr import exports, records
from certification.models import Certificate, CertificationLevel, GradeReview, GradeReviewItem
from courses.models import CpdEntry
from people.masking import mask_id_number, mask_mobile
from people.models import Post

from .conftest import body

pytestmark = pytest.mark.django_db

QUERIES_PER_CHUNK = 5  # the rows, CPD this year, CPD last year, courses, simulations


def _reference_row(w, index):
    """An export row as the export built it from decorated model instances (before plain rows)."""
    return [
        w.employee_no,
        w.name,
        index.at_depth(w.org_unit, 3),
        index.at_depth(w.org_unit, 4),
        index.full_name(w.org_unit),
        w.get_post_display(),
        w.grade,
        mask_mobile(w.user.mobile or ""),
        mask_id_number(w.id_number or ""),
        w.cert_level or "",
        w.cert_number or "",
        str(w.status_label),
        w.cert_expires_on.isoformat() if w.cert_expires_on else "",
        exports._num(w.cpd_this_year),
        exports._num(w.cpd_last_year),
        w.courses_completed,
        w.simulations_text,
        w.eligibility_label,
    ]


@pytest.fixture
def population(org, make_workers, hr_district, monkeypatch):
    """Workers in both streets with valid, expired, revoked, superseded and badge-only
    certificates, grade-review verdicts, CPD hours, completed courses and simulation results."""
    today = timezone.localdate()
    c0, c1 = CertificationLevel.objects.get(code="C0"), CertificationLevel.objects.get(code="C1")
    badge = CertificationLevel.objects.filter(is_badge=True).first()
    posts = [p.value for p in Post]
    workers = make_workers(8, org.grid_a1) + make_workers(7, org.grid_b1)
    review_old = GradeReview.objects.create(org_unit=org.city, review_date=dt.date(2024, 1, 1))
    review_new = GradeReview.objects.create(org_unit=org.city, review_date=dt.date(2025, 6, 1))

    def cert(w, level, n, issued, **kw):
        return Certificate.objects.create(
            worker=w,
            level=level,
            cycle=n + 1,
            number=f"N{w.pk}-{n}",
            verification_code=f"V{w.pk}-{n}",
            holder_name=w.name,
            issuing_body="网格学堂",
            issued_on=issued,
            valid_from=issued,
            held_since=issued,
            **kw,
        )

    for i, w in enumerate(workers):
        w.post = posts[i % len(posts)]
        w.grade = 1 + i % 9
        w.id_number = "" if i % 5 == 0 else f"11010119900101{i:04d}"
        w.save()
        kind = i % 6
        if kind == 0:
            cert(w, c0, 0, dt.date(2023, 1, 1), expires_on=today + dt.timedelta(days=30))
        elif kind == 1:
            cert(w, c1, 0, dt.date(2022, 1, 1), expires_on=today - dt.timedelta(days=1))
        elif kind == 2:
            cert(
                w, c0, 0, dt.date(2022, 1, 1), revoked_on=dt.date(2022, 6, 1), revoked_reason="有误"
            )
        elif kind == 3:  # superseded C0, current C1, and an expired C0 ranked below the valid one
            cert(w, c0, 0, dt.date(2021, 1, 1), superseded_on=dt.date(2022, 1, 1))
            cert(w, c1, 1, dt.date(2022, 1, 1), expires_on=None)
            cert(w, c0, 2, dt.date(2020, 1, 1), expires_on=dt.date(2021, 1, 1))
        elif kind == 4 and badge is not None:
            cert(w, badge, 0, dt.date(2024, 1, 1))
        if i % 3:
            GradeReviewItem.objects.create(
                review=review_old,
                worker=w,
                current_grade=1,
                proposed_grade=2,
                eligible=False,
                reason="x",
            )
            GradeReviewItem.objects.create(
                review=review_new,
                worker=w,
                current_grade=w.grade,
                proposed_grade=w.grade + 1,
                eligible=bool(i % 2),
                reason="x",
            )
        for k in range(i % 3):
            CpdEntry.objects.create(
                user=w.user,
                source="test",
                source_key=f"{w.pk}-{k}",
                hours=Decimal(["1.5", "2", "0.5"][k]),
                earned_on=dt.date(today.year - k % 2, 3, 1),
                description="学时",
            )
    courses = {w.user_id: {"MED-101": today, "LAW-102": today} for w in workers[::4]}
    sims = {
        w.user_id: {
            "SIM-01": SimResult(Decimal("82.50"), {}, True, False, today),
            "SIM-03:gas": SimResult(Decimal("40"), {}, False, True, today),
        }
        for w in workers[1::3]
    }
    monkeypatch.setattr(
        records.course_queries,
        "completed_courses",
        lambda ids: {uid: dict(courses.get(uid, {})) for uid in ids},
    )
    monkeypatch.setattr(
        records.simulation_queries,
        "best_results",
        lambda ids: {uid: sims[uid] for uid in ids if uid in sims},
    )
    return workers


def test_export_rows_say_what_the_decorated_records_say(hr_district, population):
    qs = records.records_for(hr_district)
    index = records.OrgIndex.for_user(hr_district)
    expected = [
        [exports.neutralise(v) for v in _reference_row(w, index)]
        for w in records.decorate(list(qs))
    ]
    got = list(exports.iter_rows(qs, index))
    assert len(got) == len(expected) >= 15
    assert got == expected
    # every kind of value is exercised
    columns = list(zip(*got, strict=True))
    assert len(set(columns[11])) == 4  # valid, expired, revoked, none
    assert any(v for v in columns[16]) and any(columns[15]) and any(columns[13])
    assert len({v[:2] for v in columns[17]}) == 3  # not in a review, blocked, eligible


@pytest.mark.parametrize("params", [{"status": "valid"}, {"eligibility": "blocked"}, {"q": "W"}])
def test_filtered_export_rows_match_the_filtered_list(hr_district, population, params):
    from certification.hr.filters import filtered_records

    qs, errors = filtered_records(hr_district, params)
    assert not errors
    index = records.OrgIndex.for_user(hr_district)
    expected = [
        [exports.neutralise(v) for v in _reference_row(w, index)]
        for w in records.decorate(list(qs))
    ]
    assert list(exports.iter_rows(qs, index)) == expected and expected


def test_queries_per_chunk_are_constant(hr_district, make_workers, org, certified):
    qs = records.records_for(hr_district)
    for n in (5, 14):
        make_workers(n, org.grid_a2)
        rows = qs.count()
        full = rows % 4 == 0  # a full last chunk costs one more (empty) row query
        chunks = -(-rows // 4)
        with CaptureQueriesContext(connection) as ctx:
            got = list(records.iter_records(qs, chunk=4))
        assert [r.employee_no for r in got] == list(qs.values_list("employee_no", flat=True))
        row_queries = [q for q in ctx.captured_queries if "people_workerprofile" in q["sql"]]
        assert len(row_queries) == chunks + full
        assert len(ctx) == QUERIES_PER_CHUNK * chunks + full


def test_export_queries_do_not_grow_with_rows(hr_street_a, make_workers):
    index = records.OrgIndex.for_user(hr_street_a)
    counts = []
    for n in (3, 40):
        make_workers(n)
        qs = records.records_for(hr_street_a)
        with CaptureQueriesContext(connection) as ctx:
            lines = list(exports.stream_csv(qs, index))
        assert len(lines) == qs.count() + 1
        counts.append(len(ctx))
    assert counts == [QUERIES_PER_CHUNK, QUERIES_PER_CHUNK]


def test_xlsx_cells_are_values_never_formulas(hr_street_a, make_workers):
    make_workers(1, user__name='=HYPERLINK("http://x")')
    make_workers(1, user__name="+1")
    qs = records.records_for(hr_street_a)
    index = records.OrgIndex.for_user(hr_street_a)
    out = io.BytesIO()
    assert exports.write_xlsx(qs, index, out) == 2
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} == {'\'=HYPERLINK("http://x")', "'+1"}
    assert {c.data_type for c in cells} == {"s"}
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == exports.headings()


def test_records_list_issues_no_query_per_row(client_for, hr_street_a, make_workers, certified):
    client = client_for(hr_street_a)
    client.get(reverse("hr_records"))  # session, menus and the like settle on the first request
    counts = []
    for n in (2, 45):
        make_workers(n)
        with CaptureQueriesContext(connection) as ctx:
            html = body(client.get(reverse("hr_records")))
        assert html.count("/admin/hr/records/") >= n
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(exports.SHEET_PART)


def test_sheet_rows_are_the_xml_openpyxl_writes():
    """The rows serialised by the export are byte for byte what openpyxl's write-only
    worksheet writes for the same values."""
    from openpyxl import Workbook

    heading = ["工号", "A&B", " x "]
    rows = [
        ["中文", "", "  lead", "trail ", "   ", "a&b<c>d", "#N/A", "'=1", "x'y\"z", "l\nb", "t\tb"],
        [0, 5, -3, 1.5, 2.25, 1e20, 123456789012, None, "after none"],
        [],
    ]
    ours = io.BytesIO()
    progress = []
    assert exports.write_sheet(ours, "人事档案", heading, iter(rows), on_row=progress.append) == 3
    assert progress == [1, 2, 3]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="人事档案")
    for row in [heading, *rows]:
        sheet.append(row)
    reference = io.BytesIO()
    workbook.save(reference)
    assert _sheet_xml(ours.getvalue()) == _sheet_xml(reference.getvalue())
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(reference) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name not in (exports.SHEET_PART, "docProps/core.xml"):  # core.xml has the time
                assert a.read(name) == b.read(name), name
    values = list(load_workbook(io.BytesIO(ours.getvalue())).active.iter_rows(values_only=True))
    assert values[1][:4] == ("中文", None, "  lead", "trail ") and values[2][3] == 1.5


def test_sheet_never_writes_a_formula_and_refuses_what_openpyxl_refuses():
    from openpyxl.utils.exceptions import IllegalCharacterError

    out = io.BytesIO()
    exports.write_sheet(out, "s", ["h"], iter([["=SUM(A1)"]]))
    cell = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=2))[0]
    assert cell.value == "=SUM(A1)" and cell.data_type == "s"
    with pytest.raises(IllegalCharacterError):
        exports.write_sheet(io.BytesIO(), "s", ["h"], iter([["bell\x07"]]))

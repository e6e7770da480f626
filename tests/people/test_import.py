import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from people.importing import COLUMNS
from people.models import GradeRecord, User, WorkerProfile
from people.services import import_workers


def _csv(rows: list[list[str]], header=COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def good_rows():
    return [
        [
            "A0101",
            "王海燕",
            "13700000001",
            "110101199003071233",
            "t-a-1-g1",
            "专职网格员",
            "2",
            "2022-04-01",
            "大专",
            "",
            "",
        ],
        [
            "A0102",
            "刘建国",
            "13700000002",
            "",
            "t-a-1",
            "副职",
            "6",
            "2015-09-01",
            "本科",
            "社工师",
            "2019-06-20",
        ],
    ]


@pytest.fixture
def importer(district_admin):
    return district_admin


@pytest.mark.django_db
def test_good_file_imports_and_reimport_changes_nothing(importer, org):
    report = import_workers(_csv(good_rows()), "roster.csv", acting_user=importer)
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    worker = WorkerProfile.objects.get(employee_no="A0102")
    assert worker.user.name == "刘建国"
    assert worker.grade == 6 and worker.post == "deputy"
    assert not worker.user.has_usable_password()
    assert worker.user.groups.filter(name="学员").exists()
    records = GradeRecord.objects.count()
    entries = ModelLogEntry.objects.count()

    again = import_workers(_csv(good_rows()), "roster.csv", acting_user=importer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert GradeRecord.objects.count() == records
    assert ModelLogEntry.objects.count() == entries


@pytest.mark.django_db
def test_xlsx_with_dates_as_cells_imports(importer, org):
    import datetime as dt

    rows = good_rows()
    rows[0][7] = dt.datetime(2022, 4, 1)
    rows[0][6] = 2
    report = import_workers(_xlsx(rows), "roster.xlsx", acting_user=importer)
    assert report.ok, report.problems
    assert WorkerProfile.objects.get(employee_no="A0101").service_start_date == dt.date(2022, 4, 1)


@pytest.mark.django_db
def test_changed_grade_on_reimport_writes_history(importer, org):
    import_workers(_csv(good_rows()), "roster.csv", acting_user=importer)
    rows = good_rows()
    rows[1][6] = "7"
    report = import_workers(_csv(rows), "roster.csv", acting_user=importer)
    assert (report.updated, report.unchanged) == (1, 1)
    worker = WorkerProfile.objects.get(employee_no="A0102")
    assert worker.grade == 7
    assert list(worker.grade_history.values_list("grade", flat=True)) == [7, 6]
    assert ModelLogEntry.objects.filter(action="people.grade_changed").count() == 1


@pytest.mark.django_db
def test_any_bad_row_imports_nothing_and_every_problem_is_reported(importer, org):
    rows = good_rows() + [
        [
            "A0103",
            "",
            "1234",
            "110101199003071234",
            "nope",
            "组长",
            "30",
            "2030-01-01",
            "小学",
            "社工师",
            "",
        ],
        [
            "A0101",
            "重复工号",
            "13700000001",
            "",
            "t-a-1",
            "一般工作人员",
            "13",
            "2020/01/01",
            "本科",
            "",
            "2020-01-01",
        ],
    ]
    before = (User.objects.count(), WorkerProfile.objects.count())
    report = import_workers(_csv(rows), "roster.csv", acting_user=importer)
    assert not report.ok
    assert (User.objects.count(), WorkerProfile.objects.count()) == before
    found = {(p.row, p.column) for p in report.problems}
    assert {
        (4, "姓名"),
        (4, "手机号"),
        (4, "身份证号"),
        (4, "组织编码"),
        (4, "岗位"),
        (4, "等级"),
        (4, "参加社区工作日期"),
        (4, "学历"),
        (4, "社工资格取得日期"),
        (5, "工号"),
        (5, "手机号"),
        (5, "等级"),
        (5, "社工资格取得日期"),
    } <= found


@pytest.mark.django_db
def test_rows_outside_the_importers_jurisdiction_are_refused(org, hr_street_a):
    from people.factories import UserFactory
    from people.roles import DISTRICT_ADMIN

    street_admin = UserFactory(username="sa", roles=[DISTRICT_ADMIN], jurisdiction=org.street_a)
    rows = good_rows()
    rows[0][4] = "t-b-1-g1"
    report = import_workers(_csv(rows), "roster.csv", acting_user=street_admin)
    assert [(p.row, p.column) for p in report.problems] == [(2, "组织编码")]
    assert WorkerProfile.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_and_wrong_file_types_are_clear(importer, org):
    report = import_workers(_csv([["x"]], header=["工号", "姓名"]), "r.csv", acting_user=importer)
    assert "组织编码" in report.file_error
    report = import_workers(io.BytesIO(b"garbage"), "r.xlsx", acting_user=importer)
    assert report.file_error
    report = import_workers(io.BytesIO(b"x"), "r.pdf", acting_user=importer)
    assert report.file_error


@pytest.mark.django_db
def test_hr_cannot_import(hr_district, org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_workers(_csv(good_rows()), "roster.csv", acting_user=hr_district)


@pytest.mark.django_db
def test_admin_view_reports_problems_and_template_downloads(client_for, importer, org):
    client = client_for(importer)
    response = client.get("/admin/people/import/template.xlsx")
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(header) == COLUMNS
    assert client.get("/admin/people/import/template.csv").status_code == 200
    assert client.get("/admin/people/import/template.exe").status_code in (301, 404)

    rows = good_rows()
    rows[1][6] = "99"
    upload = _csv(rows)
    upload.name = "roster.csv"
    response = client.post("/admin/people/import/", {"file": upload})
    assert response.status_code == 200
    assert "等级" in response.content.decode()
    assert WorkerProfile.objects.count() == 0

    upload = _csv(good_rows())
    upload.name = "roster.csv"
    response = client.post("/admin/people/import/", {"file": upload})
    assert WorkerProfile.objects.count() == 2


@pytest.mark.django_db
def test_admin_import_view_denied_to_hr_and_learner(client_for, hr_street_a, learner):
    assert client_for(hr_street_a).get("/admin/people/import/").status_code in (302, 403)
    assert client_for(learner).get("/admin/people/import/").status_code in (302, 403)


@pytest.mark.django_db
def test_management_command(tmp_path, importer, org):
    path = tmp_path / "roster.csv"
    path.write_bytes(_csv(good_rows()).getvalue())
    call_command("import_workers", str(path), "--as-user", importer.username)
    assert WorkerProfile.objects.count() == 2
    bad = good_rows()
    bad[0][5] = "组长"
    path.write_bytes(_csv(bad).getvalue())
    with pytest.raises(CommandError):
        call_command("import_workers", str(path), "--as-user", importer.username)

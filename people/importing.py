"""Reading and validating worker roster files (CSV or XLSX) before anything is written.

``parse_roster`` turns a file into rows; ``validate_roster`` checks every row and returns either
clean rows or every problem found (row number as the user sees it in the file, column name,
message). Writing happens in ``people.services.import_workers``, and only when nothing is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import (
    POST_GRADE_RANGE,
    Education,
    OrgUnit,
    Post,
    SocialWorkQualification,
    User,
    WorkerProfile,
)

# Column headers of the roster file, in order. The file's first row must carry these names.
COL_EMPLOYEE_NO = "工号"
COL_NAME = "姓名"
COL_MOBILE = "手机号"
COL_ID_NUMBER = "身份证号"
COL_ORG_CODE = "组织编码"
COL_POST = "岗位"
COL_GRADE = "等级"
COL_SERVICE_START = "参加社区工作日期"
COL_EDUCATION = "学历"
COL_QUALIFICATION = "社工资格"
COL_QUALIFICATION_DATE = "社工资格取得日期"
COLUMNS = [
    COL_EMPLOYEE_NO,
    COL_NAME,
    COL_MOBILE,
    COL_ID_NUMBER,
    COL_ORG_CODE,
    COL_POST,
    COL_GRADE,
    COL_SERVICE_START,
    COL_EDUCATION,
    COL_QUALIFICATION,
    COL_QUALIFICATION_DATE,
]
REQUIRED = {
    COL_EMPLOYEE_NO,
    COL_NAME,
    COL_ORG_CODE,
    COL_POST,
    COL_GRADE,
    COL_SERVICE_START,
    COL_EDUCATION,
}
POST_BY_LABEL = {
    "正职": Post.CHIEF,
    "副职": Post.DEPUTY,
    "专职委员": Post.COMMITTEE,
    "一般工作人员": Post.GENERAL,
    "专职网格员": Post.GRID_WORKER,
}
EDUCATION_BY_LABEL = {
    "高中/中专": Education.HIGH_SCHOOL,
    "高中": Education.HIGH_SCHOOL,
    "中专": Education.HIGH_SCHOOL,
    "大专": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "硕士": Education.MASTER,
    "博士": Education.DOCTOR,
}
QUALIFICATION_BY_LABEL = {
    "": SocialWorkQualification.NONE,
    "无": SocialWorkQualification.NONE,
    "助理社工师": SocialWorkQualification.ASSISTANT,
    "社工师": SocialWorkQualification.SOCIAL_WORKER,
    "高级社工师": SocialWorkQualification.SENIOR,
}
LABEL_BY_POST = {v: k for k, v in POST_BY_LABEL.items()}
LABEL_BY_EDUCATION = {
    Education.HIGH_SCHOOL: "高中/中专",
    Education.COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}
LABEL_BY_QUALIFICATION = {v: k for k, v in QUALIFICATION_BY_LABEL.items() if k != "无"}
MAX_ROWS = 20_000
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


class RosterFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class CleanRow:
    row: int
    employee_no: str
    name: str
    mobile: str | None
    id_number: str
    org_unit: OrgUnit
    post: str
    grade: int
    service_start_date: dt.date
    education: str
    sw_qualification: str
    sw_qualification_date: dt.date | None


@dataclass
class ValidationResult:
    rows: list[CleanRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_roster(uploaded, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV (UTF-8, with or without BOM, or GB18030) or XLSX roster.

    Returns ``(row_number, {column: text})`` for each non-empty data row, numbered as a
    spreadsheet shows them (the header is row 1).
    """
    data = uploaded.read() if hasattr(uploaded, "read") else uploaded
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.endswith(".csv"):
        table = _read_csv(data)
    else:
        raise RosterFileError(_("Only .csv and .xlsx files can be imported."))
    if not table:
        raise RosterFileError(_("The file is empty."))
    header = [_cell_text(h) for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterFileError(
            _("The header row is missing these columns: %(columns)s. Download the template.")
            % {"columns": "、".join(missing)}
        )
    index = {c: header.index(c) for c in COLUMNS}
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {c: _cell_text(raw[i]) if i < len(raw) else "" for c, i in index.items()}
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once.")
            % {"count": len(rows), "max": MAX_ROWS}
        )
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_("The CSV file is not UTF-8 or GB18030 text."))
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise RosterFileError(
            _("The XLSX file cannot be opened: it is damaged or not XLSX.")
        ) from exc
    sheet = workbook.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return table


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def id_number_is_valid(value: str) -> bool:
    """18-character resident ID with a correct GB 11643 check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def validate_roster(rows: list[tuple[int, dict[str, str]]], allowed_units) -> ValidationResult:
    """Check every row; ``allowed_units`` is the org-unit queryset the importer may write to."""
    result = ValidationResult()
    units = {u.code: u for u in allowed_units}
    seen_employee: dict[str, int] = {}
    seen_mobile: dict[str, int] = {}
    mobiles = [v[COL_MOBILE] for _n, v in rows if v[COL_MOBILE]]
    employee_nos = [v[COL_EMPLOYEE_NO] for _n, v in rows]
    owner_of_mobile = dict(
        User.objects.filter(mobile__in=mobiles).values_list("mobile", "worker__employee_no")
    )
    existing_users = set(
        User.objects.filter(username__in=employee_nos)
        .exclude(worker__employee_no__in=employee_nos)
        .values_list("username", flat=True)
    )
    today = dt.date.today()

    for number, v in rows:
        problems: list[RowProblem] = []

        def bad(column: str, message: str, number=number, problems=problems) -> None:
            problems.append(RowProblem(number, column, message))

        for column in COLUMNS:
            if column in REQUIRED and not v[column]:
                bad(column, _("This field is required."))

        employee_no = v[COL_EMPLOYEE_NO]
        if employee_no:
            if len(employee_no) > 30 or not employee_no.replace("-", "").isalnum():
                bad(COL_EMPLOYEE_NO, _("Use letters, digits and hyphens (at most 30)."))
            elif employee_no in seen_employee:
                bad(
                    COL_EMPLOYEE_NO,
                    _("Duplicate of row %(row)s.") % {"row": seen_employee[employee_no]},
                )
            elif employee_no in existing_users:
                bad(
                    COL_EMPLOYEE_NO,
                    _("An account with this username exists and is not this worker."),
                )
            seen_employee.setdefault(employee_no, number)

        if len(v[COL_NAME]) > 50:
            bad(COL_NAME, _("At most 50 characters."))

        mobile = v[COL_MOBILE] or None
        if mobile:
            if len(mobile) != 11 or not mobile.isdigit() or not mobile.startswith("1"):
                bad(COL_MOBILE, _("Enter an 11-digit mainland mobile number."))
            elif mobile in seen_mobile:
                bad(COL_MOBILE, _("Duplicate of row %(row)s.") % {"row": seen_mobile[mobile]})
            elif mobile in owner_of_mobile and owner_of_mobile[mobile] != employee_no:
                bad(COL_MOBILE, _("This mobile number belongs to another account."))
            seen_mobile.setdefault(mobile, number)

        id_number = v[COL_ID_NUMBER].upper()
        if id_number and not id_number_is_valid(id_number):
            bad(COL_ID_NUMBER, _("Not a valid 18-character resident ID number."))

        unit = None
        if v[COL_ORG_CODE]:
            unit = units.get(v[COL_ORG_CODE])
            if unit is None:
                bad(COL_ORG_CODE, _("Unknown org unit code, or outside your jurisdiction."))

        post = POST_BY_LABEL.get(v[COL_POST]) if v[COL_POST] else None
        if v[COL_POST] and post is None:
            bad(COL_POST, _("Must be one of: %(values)s.") % {"values": "、".join(POST_BY_LABEL)})

        grade = None
        if v[COL_GRADE]:
            try:
                grade = int(v[COL_GRADE])
            except ValueError:
                bad(COL_GRADE, _("Must be a whole number from 1 to 18."))
            else:
                if not 1 <= grade <= 18:
                    bad(COL_GRADE, _("Must be a whole number from 1 to 18."))
                    grade = None
                elif post is not None:
                    lo, hi = POST_GRADE_RANGE[post]
                    if not lo <= grade <= hi:
                        bad(
                            COL_GRADE,
                            _("Grade %(grade)s is outside the range %(lo)s–%(hi)s of this post.")
                            % {"grade": grade, "lo": lo, "hi": hi},
                        )

        start = None
        if v[COL_SERVICE_START]:
            start = _parse_date(v[COL_SERVICE_START])
            if start is None:
                bad(COL_SERVICE_START, _("Write dates as YYYY-MM-DD."))
            elif start > today or start.year < 1950:
                bad(COL_SERVICE_START, _("The date is not plausible."))
                start = None

        education = EDUCATION_BY_LABEL.get(v[COL_EDUCATION]) if v[COL_EDUCATION] else None
        if v[COL_EDUCATION] and education is None:
            bad(
                COL_EDUCATION,
                _("Must be one of: %(values)s.")
                % {"values": "、".join(LABEL_BY_EDUCATION.values())},
            )

        qualification = QUALIFICATION_BY_LABEL.get(v[COL_QUALIFICATION])
        if qualification is None:
            bad(
                COL_QUALIFICATION,
                _("Leave empty or use one of: %(values)s.")
                % {"values": "、".join(k for k in QUALIFICATION_BY_LABEL if k not in ("", "无"))},
            )
        qualification_date = None
        if v[COL_QUALIFICATION_DATE]:
            qualification_date = _parse_date(v[COL_QUALIFICATION_DATE])
            if qualification_date is None:
                bad(COL_QUALIFICATION_DATE, _("Write dates as YYYY-MM-DD."))
            elif qualification_date > today:
                bad(COL_QUALIFICATION_DATE, _("The date is not plausible."))
        if qualification and not v[COL_QUALIFICATION_DATE]:
            bad(COL_QUALIFICATION_DATE, _("Give the date the qualification was obtained."))
        if not qualification and v[COL_QUALIFICATION_DATE]:
            bad(COL_QUALIFICATION_DATE, _("A date was given but no qualification."))

        if problems:
            result.problems.extend(problems)
            continue
        result.rows.append(
            CleanRow(
                row=number,
                employee_no=employee_no,
                name=v[COL_NAME],
                mobile=mobile,
                id_number=id_number,
                org_unit=unit,
                post=post,
                grade=grade,
                service_start_date=start,
                education=education,
                sw_qualification=qualification,
                sw_qualification_date=qualification_date if qualification else None,
            )
        )
    return result


def roster_row_for(worker: WorkerProfile) -> list[str]:
    """A worker as a roster row (used by the template's example and by exports)."""
    return [
        worker.employee_no,
        worker.user.get_full_name(),
        worker.user.mobile or "",
        worker.id_number,
        worker.org_unit.code,
        LABEL_BY_POST[worker.post],
        str(worker.grade),
        worker.service_start_date.isoformat(),
        LABEL_BY_EDUCATION[worker.education],
        LABEL_BY_QUALIFICATION.get(worker.sw_qualification, ""),
        worker.sw_qualification_date.isoformat() if worker.sw_qualification_date else "",
    ]


TEMPLATE_EXAMPLE = [
    "WG-0001",
    "李晓梅",
    "13800001234",
    "",
    "grid-code",
    "专职网格员",
    "3",
    "2021-03-01",
    "大专",
    "助理社工师",
    "2023-06-18",
]


def template_xlsx() -> bytes:
    """The downloadable XLSX template: headers, an example row and a sheet of allowed values."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append(COLUMNS)
    sheet.append(TEMPLATE_EXAMPLE)
    for column in "ABCDEFGHIJK":
        sheet.column_dimensions[column].width = 16
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append([COL_EMPLOYEE_NO, "必填；唯一；重复导入时按工号更新"])
    notes.append([COL_ORG_CODE, "必填；填写组织架构中的编码（通常为网格或社区）"])
    notes.append([COL_POST, "必填；" + "、".join(POST_BY_LABEL)])
    notes.append([COL_GRADE, "必填；1–18，且须在岗位等级范围内"])
    notes.append([COL_EDUCATION, "必填；" + "、".join(LABEL_BY_EDUCATION.values())])
    notes.append([COL_QUALIFICATION, "可空；助理社工师、社工师、高级社工师（填写时须有取得日期）"])
    notes.append(["日期", "格式 YYYY-MM-DD"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")

"""Question bank XLSX import/export. One sheet, one question per row, Chinese headers.

An import is all-or-nothing: every row is validated first and every bad row is reported
(row number, column, message); only a file without problems is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from .models import Category, Difficulty, Law, Question, QuestionType, Tier

OPTION_LETTERS = "ABCDEF"
COLUMNS = [
    "编号",
    "题型",
    "分类",
    "层级",
    "难度",
    "题干",
    *[f"选项{letter}" for letter in OPTION_LETTERS],
    "正确答案",
    "分值",
    "解析",
    "法律依据",
    "条款",
    "标签",
    "评分量规",
]
REQUIRED = ["编号", "题型", "分类", "题干"]
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024

TYPE_NAMES = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.FILL_BLANK: "填空",
    QuestionType.SHORT_ANSWER: "简答",
}
CATEGORY_NAMES = {
    Category.POLICY: "政策法规",
    Category.MEDIATION: "矛盾调解",
    Category.REQUESTS: "接诉即办",
    Category.EMERGENCY: "应急处突",
    Category.SERVICE: "服务群众",
    Category.DIGITAL: "数字工具",
}
DIFFICULTY_NAMES = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}
LAW_NAMES = {
    Law.MEDIATION_LAW: "人民调解法",
    Law.HOTLINE_REGULATION: "接诉即办条例",
    Law.NOISE_LAW: "噪声污染防治法",
    Law.CIVIL_CODE: "民法典",
    Law.EMERGENCY_LAW: "突发事件应对法",
    Law.RESIDENTS_COMMITTEE: "居委会组织法",
    Law.FIRE_LAW: "消防法",
    Law.PRIVACY_LAW: "个人信息保护法",
    Law.PROPERTY_REGULATION: "物业管理条例",
    Law.OTHER: "其他",
}
TRUE_WORDS = {"对", "正确", "是", "true", "t", "√", "✓", "1"}
FALSE_WORDS = {"错", "错误", "否", "false", "f", "×", "✗", "0"}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class QuestionFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ParsedQuestion:
    row: int
    fields: dict
    options: list[tuple[str, bool]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    rubric: list[dict] = field(default_factory=list)


def _lookup(value: str, names: dict) -> str | None:
    value = value.strip()
    for code, name in names.items():
        if value in (str(code), name, f"{name}题"):
            return code
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(uploaded) -> list[tuple[int, dict[str, str]]]:
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise QuestionFileError(_("The file is larger than 5 MB."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-XLSX file
        raise QuestionFileError(_("This is not an XLSX file.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise QuestionFileError(
            _("Missing columns: %(cols)s. Use the template.") % {"cols": "、".join(missing)}
        )
    out = []
    for number, values in enumerate(rows, start=2):
        record = {
            header[i]: _cell(v) for i, v in enumerate(values) if i < len(header) and header[i]
        }
        if not any(record.values()):
            continue
        out.append((number, record))
        if len(out) > MAX_ROWS:
            raise QuestionFileError(_("At most %(n)s questions per file.") % {"n": MAX_ROWS})
    return out


def parse_rubric(text: str) -> list[dict]:
    """``名称：0=描述；2=描述`` one criterion per line → StreamField-ready criteria."""
    criteria = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, rest = line.replace(":", "：", 1).partition("：")
        if not sep or not name.strip():
            raise ValueError(
                _("each line needs a criterion name and levels, e.g. 依法：0=未引用；2=引用正确")
            )
        levels = []
        for part in re.split(r"[；;]", rest):
            part = part.strip()
            if not part:
                continue
            points, eq, descriptor = part.partition("=")
            if not eq or not points.strip().isdigit() or not descriptor.strip():
                raise ValueError(_("levels are written as points=descriptor, e.g. 2=引用正确"))
            levels.append({"points": int(points.strip()), "descriptor": descriptor.strip()})
        if len(levels) < 2:
            raise ValueError(_("each criterion needs at least two levels"))
        criteria.append({"name": name.strip()[:100], "levels": levels})
    return criteria


def rubric_text(criteria: list[dict]) -> str:
    return "\n".join(
        f"{c['name']}：" + "；".join(f"{lv['points']}={lv['descriptor']}" for lv in c["levels"])
        for c in criteria
    )


def validate_rows(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[ParsedQuestion], list[RowProblem]]:
    problems: list[RowProblem] = []
    parsed: list[ParsedQuestion] = []
    codes_in_file: dict[str, int] = {}
    existing = set(
        Question.objects.filter(code__in=[r.get("编号", "") for _n, r in rows]).values_list(
            "code", flat=True
        )
    )
    for number, row in rows:
        row_problems: list[RowProblem] = []

        def bad(column: str, message: str, number=number, row_problems=row_problems) -> None:
            row_problems.append(RowProblem(number, column, message))

        code = row.get("编号", "")
        if not CODE_RE.match(code):
            bad("编号", _("use 1–40 letters, digits, - or _"))
        elif code in existing:
            bad("编号", _("a question with this code already exists"))
        elif code in codes_in_file:
            bad("编号", _("same code as row %(n)s") % {"n": codes_in_file[code]})
        else:
            codes_in_file[code] = number
        qtype = _lookup(row.get("题型", ""), TYPE_NAMES)
        if qtype is None:
            bad("题型", _("must be one of 单选, 多选, 判断, 填空, 简答"))
        category = _lookup(row.get("分类", ""), CATEGORY_NAMES)
        if category is None:
            bad("分类", _("unknown category"))
        tier = row.get("层级", "") or Tier.T1
        if tier not in Tier.values:
            bad("层级", _("must be T0–T4"))
        difficulty = _lookup(row.get("难度", "") or "2", DIFFICULTY_NAMES)
        if difficulty is None:
            bad("难度", _("must be 易, 中, 难 or 1–3"))
        text = row.get("题干", "")
        if not text:
            bad("题干", _("required"))
        elif len(text) > 2000:
            bad("题干", _("at most 2000 characters"))
        law = _lookup(row.get("法律依据", "") or "其他", LAW_NAMES)
        if law is None:
            bad("法律依据", _("unknown law"))
        try:
            points = Decimal(
                row.get("分值", "") or ("5" if qtype == QuestionType.SHORT_ANSWER else "1")
            )
            if not Decimal("0.5") <= points <= Decimal("100"):
                raise InvalidOperation
        except InvalidOperation:
            bad("分值", _("a number from 0.5 to 100"))
            points = Decimal("1")
        answer = row.get("正确答案", "")
        item = ParsedQuestion(
            row=number,
            fields={
                "code": code,
                "qtype": qtype,
                "category": category,
                "tier": tier,
                "difficulty": difficulty,
                "text": text,
                "points": points,
                "explanation": row.get("解析", "")[:3000],
                "law": law,
                "law_article": row.get("条款", "")[:60],
            },
            tags=[t.strip() for t in re.split(r"[,，、]", row.get("标签", "")) if t.strip()],
        )
        if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            letters = [letter for letter in OPTION_LETTERS if row.get(f"选项{letter}", "")]
            if len(letters) < 2:
                bad("选项A", _("give at least two options"))
            key = {c for c in answer.upper() if c in OPTION_LETTERS}
            if not key:
                bad("正确答案", _("give the letters of the correct options, e.g. B or A,C"))
            elif not key <= set(letters):
                bad("正确答案", _("the answer names an empty option"))
            elif qtype == QuestionType.SINGLE and len(key) != 1:
                bad("正确答案", _("a single-choice question has exactly one correct option"))
            item.options = [(row[f"选项{letter}"][:500], letter in key) for letter in letters]
        elif qtype == QuestionType.TRUE_FALSE:
            word = answer.strip().lower()
            if word in TRUE_WORDS:
                item.fields["true_false_answer"] = True
            elif word in FALSE_WORDS:
                item.fields["true_false_answer"] = False
            else:
                bad("正确答案", _("write 对 or 错"))
        elif qtype == QuestionType.FILL_BLANK:
            accepted = [a.strip() for a in answer.split("|") if a.strip()]
            if not accepted:
                bad("正确答案", _("give the accepted answers separated by |"))
            item.fields["accepted_answers"] = "\n".join(accepted)
        elif qtype == QuestionType.SHORT_ANSWER:
            try:
                item.rubric = parse_rubric(row.get("评分量规", ""))
            except ValueError as exc:
                bad("评分量规", str(exc))
            else:
                if not item.rubric:
                    bad("评分量规", _("a short-answer question needs a rubric"))
        problems.extend(row_problems)
        if not row_problems:
            parsed.append(item)
    return parsed, problems


def create_question(item: ParsedQuestion) -> Question:
    from .models import QuestionOption

    question = Question(**item.fields)
    if item.rubric:
        question.rubric = [("criterion", c) for c in item.rubric]
    question.save()
    for sort_order, (text, correct) in enumerate(item.options):
        QuestionOption.objects.create(
            question=question, text=text, is_correct=correct, sort_order=sort_order
        )
    if item.tags:
        question.tags.add(*item.tags)
        question.save()
    return question


def _sheet(workbook: Workbook):
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook)
    examples = [
        [
            "MED-X001",
            "单选",
            "矛盾调解",
            "T1",
            "易",
            "人民调解委员会调解民间纠纷，收取费用吗？",
            "按标的收取",
            "不收取任何费用",
            "收取工本费",
            "",
            "",
            "",
            "B",
            "1",
            "人民调解法第4条：人民调解委员会调解民间纠纷，不收取任何费用。",
            "人民调解法",
            "第4条",
            "调解原则",
            "",
        ],
        [
            "MED-X002",
            "多选",
            "矛盾调解",
            "T1",
            "中",
            "人民调解员的哪些行为属于第15条的禁止行为？",
            "偏袒一方当事人",
            "侮辱当事人",
            "泄露当事人的个人隐私",
            "耐心疏导",
            "",
            "",
            "A,B,C",
            "2",
            "",
            "人民调解法",
            "第15条",
            "红线",
            "",
        ],
        [
            "MED-X003",
            "判断",
            "矛盾调解",
            "T1",
            "易",
            "一方当事人明确拒绝调解的，不得调解。",
            "",
            "",
            "",
            "",
            "",
            "",
            "对",
            "1",
            "",
            "人民调解法",
            "第17条",
            "",
            "",
        ],
        [
            "REQ-X001",
            "填空",
            "接诉即办",
            "T1",
            "中",
            "接诉即办考评以响应率、解决率、____为核心内容。",
            "",
            "",
            "",
            "",
            "",
            "",
            "满意率|群众满意率",
            "1",
            "",
            "接诉即办条例",
            "第32条",
            "",
            "",
        ],
        [
            "MED-X004",
            "简答",
            "矛盾调解",
            "T2",
            "难",
            "简述邻里漏水纠纷调解协议应载明的内容。",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "6",
            "",
            "人民调解法",
            "第29条",
            "",
            "依法：0=未提及；2=部分提及；4=完整准确\n表达：0=混乱；1=基本清楚；2=条理清楚",
        ],
    ]
    for row in examples:
        sheet.append(row)
    notes = workbook.create_sheet("说明")
    for line in [
        "题型：单选、多选、判断、填空、简答",
        "分类：" + "、".join(CATEGORY_NAMES.values()),
        "层级：T0–T4；难度：易、中、难",
        "正确答案：单选写字母（B）；多选写字母（A,C）；判断写 对/错；填空写可接受答案，用 | 分隔（全角半角与空格不计）",
        "评分量规（简答）：每行一个评分项，格式 名称：分值=描述；分值=描述",
        "法律依据：" + "、".join(LAW_NAMES.values()),
        "导入时任何一行有错，整份文件都不会导入，并列出全部错误行。",
    ]:
        notes.append([line])
    return _to_bytes(workbook)


def export_xlsx(questions) -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook)
    from .grading import rubric_of

    for q in questions:
        options = list(q.options.all())
        letters = dict(zip(OPTION_LETTERS, options, strict=False))
        if q.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            answer = ",".join(letter for letter, o in letters.items() if o.is_correct)
        elif q.qtype == QuestionType.TRUE_FALSE:
            answer = "对" if q.true_false_answer else "错"
        elif q.qtype == QuestionType.FILL_BLANK:
            answer = "|".join(q.accepted_answer_list)
        else:
            answer = ""
        sheet.append(
            [
                q.code,
                TYPE_NAMES[q.qtype],
                CATEGORY_NAMES.get(q.category, q.category),
                q.tier,
                DIFFICULTY_NAMES.get(q.difficulty, ""),
                q.text,
                *[letters[letter].text if letter in letters else "" for letter in OPTION_LETTERS],
                answer,
                f"{q.points:g}",
                q.explanation,
                LAW_NAMES.get(q.law, "其他"),
                q.law_article,
                "，".join(sorted(t.name for t in q.tags.all())),
                rubric_text(rubric_of(q)) if q.qtype == QuestionType.SHORT_ANSWER else "",
            ]
        )
    return _to_bytes(workbook)

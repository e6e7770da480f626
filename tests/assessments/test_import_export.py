import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from assessments import services
from assessments.importing import COLUMNS, template_xlsx
from assessments.models import Question, QuestionType


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        ws.append([row.get(c, "") for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("q.xlsx", buf.getvalue())


GOOD = [
    {
        "编号": "IMP-1",
        "题型": "单选",
        "分类": "矛盾调解",
        "题干": "调解收费吗？",
        "选项A": "收",
        "选项B": "不收",
        "正确答案": "B",
        "法律依据": "人民调解法",
        "条款": "第4条",
        "标签": "原则，收费",
    },
    {
        "编号": "IMP-2",
        "题型": "判断",
        "分类": "应急处突",
        "题干": "燃气泄漏时可以开灯查看。",
        "正确答案": "错",
    },
    {
        "编号": "IMP-3",
        "题型": "填空",
        "分类": "接诉即办",
        "题干": "政务服务便民热线号码是____。",
        "正确答案": "12345|１２３４５",
    },
    {
        "编号": "IMP-4",
        "题型": "简答",
        "分类": "矛盾调解",
        "题干": "简述调解协议的内容。",
        "分值": "6",
        "评分量规": "依法：0=未提及；2=部分；4=完整\n表达：0=混乱；2=清楚",
    },
    {
        "编号": "IMP-5",
        "题型": "多选",
        "分类": "矛盾调解",
        "题干": "哪些是禁止行为？",
        "选项A": "偏袒",
        "选项B": "侮辱",
        "选项C": "疏导",
        "正确答案": "A,B",
    },
]


def test_good_file_imports_every_type_with_revision_and_audit(trainer):
    report = services.import_questions(_xlsx(GOOD), acting_user=trainer)
    assert report.ok, report.problems
    assert report.created == ["IMP-1", "IMP-2", "IMP-3", "IMP-4", "IMP-5"]
    single = Question.objects.get(code="IMP-1")
    assert [(o.text, o.is_correct) for o in single.options.all()] == [("收", False), ("不收", True)]
    assert sorted(t.name for t in single.tags.all()) == ["原则", "收费"]
    assert single.latest_revision is not None
    assert Question.objects.get(code="IMP-2").true_false_answer is False
    assert Question.objects.get(code="IMP-4").rubric[0].value["name"] == "依法"
    assert Question.objects.get(code="IMP-5").options.filter(is_correct=True).count() == 2
    assert ModelLogEntry.objects.filter(action="assessments.question_imported").count() == 5


def test_bad_rows_import_nothing_and_every_bad_row_is_listed(trainer):
    rows = [
        *GOOD[:2],
        {
            "编号": "BAD-1",
            "题型": "单选",
            "分类": "矛盾调解",
            "题干": "缺答案",
            "选项A": "甲",
            "选项B": "乙",
        },
        {"编号": "BAD-2", "题型": "论述", "分类": "矛盾调解", "题干": "未知题型"},
        {"编号": "IMP-1", "题型": "判断", "分类": "未知", "题干": "重复编号", "正确答案": "也许"},
        {"编号": "BAD-4", "题型": "简答", "分类": "矛盾调解", "题干": "无量规"},
    ]
    report = services.import_questions(_xlsx(rows), acting_user=trainer)
    assert not report.ok
    bad_rows = sorted({p.row for p in report.problems})
    assert bad_rows == [4, 5, 6, 7]
    messages = [str(p) for p in report.problems]
    assert any("第 6 行" in m or "Row 6" in m for m in messages)
    assert Question.objects.count() == 0


def test_not_an_xlsx_file_is_a_clear_error(trainer):
    report = services.import_questions(
        SimpleUploadedFile("q.xlsx", b"this is not a spreadsheet"), acting_user=trainer
    )
    assert report.file_error and not report.created


def test_export_then_import_round_trips(trainer, client_for):
    services.import_questions(_xlsx(GOOD), acting_user=trainer)
    client = client_for(trainer)
    response = client.get(reverse("assessments_question_export") + "?qtype=single")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS)
    assert [r[0] for r in rows[1:]] == ["IMP-1"]
    full = client.get(reverse("assessments_question_export")).content
    before = {
        q.code: (q.qtype, q.text, q.accepted_answers, q.true_false_answer)
        for q in Question.objects.all()
    }
    Question.objects.all().delete()
    report = services.import_questions(SimpleUploadedFile("q.xlsx", full), acting_user=trainer)
    assert report.ok, report.problems
    after = {
        q.code: (q.qtype, q.text, q.accepted_answers, q.true_false_answer)
        for q in Question.objects.all()
    }
    assert after == before
    assert Question.objects.get(code="IMP-4").qtype == QuestionType.SHORT_ANSWER


def test_template_is_importable_and_admin_pages_are_permissioned(trainer, learner, client_for):
    client = client_for(trainer)
    response = client.get(reverse("assessments_question_template"))
    assert response.status_code == 200
    report = services.import_questions(
        SimpleUploadedFile("t.xlsx", template_xlsx()), acting_user=trainer
    )
    assert report.ok, report.problems
    upload = client.post(reverse("assessments_question_import"), {"file": _xlsx(GOOD[1:2])})
    assert upload.status_code == 200
    assert Question.objects.filter(code="IMP-2").exists()
    learner_client = client_for(learner)
    for name in (
        "assessments_question_import",
        "assessments_question_template",
        "assessments_question_export",
    ):
        assert learner_client.get(reverse(name)).status_code in (302, 403)

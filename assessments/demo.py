"""Demo exams: 69 questions (domain.md §3), three exams tied to MED-101 / REQ-101 / EMG-101, and
enough simulated attempts (through the real services) for item statistics to show.

Idempotent: questions and exams are looked up by code; attempts are only simulated for an exam
that has none yet, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from people.models import User

from . import services
from .demo_content import QUESTIONS
from .factories import DEFAULT_RUBRIC
from .models import (
    Attempt,
    AttemptStatus,
    Category,
    Exam,
    ExamPool,
    ExamQuestion,
    FeedbackPolicy,
    GradingMethod,
    Layout,
    MarkingState,
    Question,
    QuestionOption,
    QuestionType,
)
from .statistics import compute_item_statistics

EXAMS = [
    {
        "code": "EX-MED-101",
        "course": "MED-101",
        "title": "人民调解法与邻里纠纷调解 结业测验",
        "description": "覆盖人民调解法、民法典相邻关系与噪声污染防治法要点，含一道简答题（培训师按量规评分）。",
        "time_limit_minutes": 30,
        "max_attempts": 3,
        "grading_method": GradingMethod.HIGHEST,
        "feedback_policy": FeedbackPolicy.AFTER_SUBMIT,
        "layout": Layout.ONE_PER_SCREEN,
        "fixed": [f"MED-Q{n:03d}" for n in (1, 2, 3, 4, 5, 9, 10, 12, 14, 17, 18, 20, 21, 24, 25)],
        "pools": [],
        "double_marking": False,
    },
    {
        "code": "EX-REQ-101",
        "course": "REQ-101",
        "title": "12345/接诉即办工单全流程 测验",
        "description": "接诉即办条例、民法典物业条款与工单办理实务。简答题实行双评，分差过大由第三位评分人裁定。",
        "time_limit_minutes": 20,
        "max_attempts": 0,
        "grading_method": GradingMethod.LAST,
        "feedback_policy": FeedbackPolicy.AFTER_SUBMIT,
        "layout": Layout.ALL_ON_PAGE,
        "fixed": [f"REQ-Q{n:03d}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 17)],
        "pools": [],
        "double_marking": True,
    },
    {
        "code": "EX-EMG-101",
        "course": "EMG-101",
        "title": "社区应急先期处置 测验（随机抽题）",
        "description": "每次从应急处突题库中随机抽取 10 题，题目与选项顺序随机。考试窗口结束后公布逐题解析。",
        "time_limit_minutes": 25,
        "max_attempts": 2,
        "grading_method": GradingMethod.HIGHEST,
        "feedback_policy": FeedbackPolicy.AFTER_CLOSE,
        "layout": Layout.ONE_PER_SCREEN,
        "fixed": [],
        "pools": [(Category.EMERGENCY, 10)],
        "double_marking": False,
    },
]

SHORT_ANSWERS = {
    "MED": [
        "先制作书面调解协议，写明双方当事人、漏水和噪声的事实与责任、修复和赔偿的方式期限，双方签名按指印，调解员签名并加盖调委会印章，一式三份；告知可在30日内共同申请司法确认；第12天回访查看验收，督促第二笔赔偿，填写回访单归档。",
        "写一份协议让两家签字，然后过几天去看看有没有修好。",
        "口头说好就行，双方都同意了，不用签字。",
        "签订书面协议，载明赔偿1800元分两次支付和静音时段，告知可以申请司法确认；之后回访。",
    ],
    "REQ": [
        "当天签收工单，两小时内联系诉求人核实老人情况；约谈物业，依据民法典第944条要求撤下停水通知；电梯请有资质的维保单位维修，维修资金按程序表决；时限内如实反馈进展并依规申请延期。",
        "联系物业让他们尽快修电梯，然后回复诉求人已经在处理。",
        "告诉诉求人电梯归物业管，社区协调不了。",
    ],
    "EMG": [
        "连续敲门呼名、打电话、听门内动静、闻有无燃气味、问邻居；立即报网格长和书记，联系女儿；听到呻吟马上拨110和120，等民警到场开锁或请119破拆，一起进入；不随意搬动老人，保暖安抚；向120交接病史用药，向街道报告并当天书面记录；和民警家属确认门窗、交接钥匙签字，纳入每日问候。",
        "敲门没人应就先回去，下午再来看看。",
        "联系老人女儿，等她来了再开门进去看看。",
    ],
}


def _question(entry) -> Question | None:
    code, qtype, category, tier, difficulty, law, article, text, key, explanation, tags = entry
    if Question.objects.filter(code=code).exists():
        return None
    question = Question(
        code=code,
        qtype=qtype,
        category=category,
        tier=tier,
        difficulty=difficulty,
        law=law,
        law_article=article,
        text=text,
        explanation=explanation,
        points=Decimal("6") if qtype == QuestionType.SHORT_ANSWER else Decimal("1"),
    )
    if qtype == QuestionType.TRUE_FALSE:
        question.true_false_answer = key
    elif qtype == QuestionType.FILL_BLANK:
        question.accepted_answers = "\n".join(key)
    elif qtype == QuestionType.SHORT_ANSWER:
        rubric = [
            {
                "name": name,
                "levels": [{"points": p, "descriptor": d} for p, d in levels],
            }
            for name, levels in key
        ] or DEFAULT_RUBRIC
        question.rubric = [("criterion", c) for c in rubric]
    question.save()
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        for i, option in enumerate(key):
            QuestionOption.objects.create(
                question=question,
                text=option.lstrip("*"),
                is_correct=option.startswith("*"),
                sort_order=i,
            )
    names = [t for t in tags.split(",") if t]
    if names:
        question.tags.add(*names)
        question.save()
    question.save_revision(log_action=False)
    return question


def _exam(spec: dict, now: dt.datetime) -> tuple[Exam, bool]:
    existing = Exam.objects.filter(code=spec["code"]).first()
    if existing is not None:
        return existing, False
    course = None
    try:
        from courses.models import CoursePage

        course = CoursePage.objects.filter(code=spec["course"]).first()
    except ImportError:  # courses not installed: exams stand alone
        course = None
    exam = Exam.objects.create(
        code=spec["code"],
        title=spec["title"],
        description=spec["description"],
        time_limit_minutes=spec["time_limit_minutes"],
        max_attempts=spec["max_attempts"],
        grading_method=spec["grading_method"],
        feedback_policy=spec["feedback_policy"],
        layout=spec["layout"],
        double_marking=spec["double_marking"],
        opens_at=now - dt.timedelta(days=60),
        closes_at=(now + dt.timedelta(days=90))
        if spec["feedback_policy"] == FeedbackPolicy.AFTER_CLOSE
        else None,
        pass_mark=Decimal("60"),
        course=course,
        course_required=course is not None,
    )
    for i, code in enumerate(spec["fixed"]):
        ExamQuestion.objects.create(
            exam=exam, question=Question.objects.get(code=code), sort_order=i
        )
    for i, (category, count) in enumerate(spec["pools"]):
        ExamPool.objects.create(exam=exam, category=category, count=count, sort_order=i)
    exam.save_revision(log_action=False)
    return exam, True


def _difficulty(snapshot_code: str, rng: random.Random, cache: dict) -> float:
    if snapshot_code not in cache:
        level = Question.objects.get(code=snapshot_code).difficulty
        cache[snapshot_code] = {1: -1.2, 2: 0.0, 3: 1.0}[level] + rng.uniform(-0.4, 0.4)
    return cache[snapshot_code]


def _answer_for(item, correct: bool, rng: random.Random):
    snap = item.snapshot
    qtype = snap["type"]
    if qtype == QuestionType.SINGLE:
        pool = [o["id"] for o in snap["options"] if o["correct"] == correct]
        return rng.choice(pool)
    if qtype == QuestionType.MULTIPLE:
        key = [o["id"] for o in snap["options"] if o["correct"]]
        if correct:
            return key
        wrong = [o["id"] for o in snap["options"] if not o["correct"]]
        return sorted(set(key[: max(1, len(key) - 1)] + rng.sample(wrong, 1)))
    if qtype == QuestionType.TRUE_FALSE:
        return snap["answer"] if correct else not snap["answer"]
    if qtype == QuestionType.FILL_BLANK:
        if correct:
            answer = snap["accepted"][0]
            # Some learners type full-width digits: still accepted.
            return answer.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return rng.choice(["不清楚", "15", "110", "属地负责"])
    return None


def _simulate(exam: Exam, learners: list[User], markers: list[User], now: dt.datetime) -> int:
    rng = random.Random(f"{exam.code}-2026")
    difficulties: dict[str, float] = {}
    count = 0
    for n, user in enumerate(learners):
        ability = rng.gauss(0.3, 1.0)
        sittings = 2 if n % 7 == 0 else 1
        for sitting in range(sittings):
            start = now - dt.timedelta(
                days=20 - n % 18, hours=sitting * 3, minutes=rng.randint(0, 50)
            )
            attempt, _created = services.start_attempt(exam, acting_user=user, now=start)
            for item in attempt.items.all():
                when = start + dt.timedelta(minutes=1 + item.position)
                if item.snapshot["type"] == QuestionType.SHORT_ANSWER:
                    pool = SHORT_ANSWERS[exam.code.split("-")[1]]
                    answer = pool[0] if ability > 0.3 else rng.choice(pool[1:])
                else:
                    b = _difficulty(item.snapshot["code"], rng, difficulties)
                    p = 1 / (1 + math.exp(-1.7 * (ability + 0.4 * sitting - b)))
                    if rng.random() < 0.05:
                        continue  # left blank
                    answer = _answer_for(item, rng.random() < p, rng)
                services.save_answer(
                    attempt, item.question_id, answer, 1, acting_user=user, now=when
                )
            services.submit_attempt(
                attempt, acting_user=user, now=start + dt.timedelta(minutes=rng.randint(8, 18))
            )
            count += 1
    _mark(exam, markers, rng)
    return count


def _mark(exam: Exam, markers: list[User], rng: random.Random) -> None:
    """Trainers mark most short answers; a few stay in the queue for the demo."""
    pending = list(Attempt.objects.filter(exam=exam, status=AttemptStatus.MARKING).order_by("pk"))
    for attempt in pending[:-3]:
        for item in attempt.items.filter(marking_state=MarkingState.PENDING):
            rubric = item.snapshot["rubric"]
            strong = item.answer in {answers[0] for answers in SHORT_ANSWERS.values()}
            tops = [len(c["levels"]) - 1 for c in rubric]
            base = {
                str(i): top if strong else rng.choice(range(0, top)) for i, top in enumerate(tops)
            }
            for index, marker in enumerate(markers[: 2 if exam.double_marking else 1]):
                levels = dict(base)
                if index == 1 and attempt.pk % 5 == 0 and not strong:
                    # Now and then the second marker disagrees widely → third marker.
                    levels = {str(i): top for i, top in enumerate(tops)}
                services.record_mark(item, levels=levels, acting_user=marker)


@transaction.atomic
def seed(stdout=None) -> None:
    now = timezone.now()
    created_questions = sum(1 for entry in QUESTIONS if _question(entry) is not None)
    learners = list(
        User.objects.filter(worker__isnull=False, is_active=True)
        .exclude(username="demo-learner")
        .order_by("username")[:24]
    )
    markers = list(
        User.objects.filter(username__in=["demo-trainer", "demo-reviewer"]).order_by("username")
    )[::-1]
    simulated = 0
    for spec in EXAMS:
        exam, _created = _exam(spec, now)
        if learners and markers and not Attempt.objects.filter(exam=exam).exists():
            simulated += _simulate(exam, learners, markers, now)
            compute_item_statistics(exam)
    if stdout:
        stdout.write(
            f"assessments: {Question.objects.count()} questions (+{created_questions}), "
            f"{Exam.objects.count()} exams, {simulated} simulated attempts"
        )

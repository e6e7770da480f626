"""factory_boy factories for the question bank and exams (tests and the demo seeder)."""

from __future__ import annotations

from decimal import Decimal

import factory

from .models import (
    Category,
    Exam,
    ExamPool,
    ExamQuestion,
    Question,
    QuestionOption,
    QuestionType,
    Tier,
)

DEFAULT_RUBRIC = [
    {
        "name": "依法依规",
        "levels": [
            {"points": 0, "descriptor": "未提及法律依据"},
            {"points": 2, "descriptor": "提及依据但不完整"},
            {"points": 4, "descriptor": "依据准确、完整"},
        ],
    },
    {
        "name": "步骤完整",
        "levels": [
            {"points": 0, "descriptor": "步骤缺失"},
            {"points": 1, "descriptor": "主要步骤齐全"},
            {"points": 2, "descriptor": "步骤完整、顺序正确"},
        ],
    },
]


class QuestionFactory(factory.django.DjangoModelFactory):
    """``QuestionFactory(qtype=..., options=[("text", True), ...])``; sensible keys per type."""

    class Meta:
        model = Question
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"Q-{n:04d}")
    qtype = QuestionType.SINGLE
    category = Category.MEDIATION
    tier = Tier.T1
    text = factory.Sequence(lambda n: f"第{n}题：人民调解委员会调解民间纠纷是否收费？")
    explanation = "人民调解法第4条：不收取任何费用。"
    points = Decimal("1")

    @factory.lazy_attribute
    def true_false_answer(self):
        return True if self.qtype == QuestionType.TRUE_FALSE else None

    @factory.lazy_attribute
    def accepted_answers(self):
        return "满意率\n群众满意率" if self.qtype == QuestionType.FILL_BLANK else ""

    @factory.lazy_attribute
    def rubric(self):
        if self.qtype == QuestionType.SHORT_ANSWER:
            return [("criterion", c) for c in DEFAULT_RUBRIC]
        return []

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create or self.qtype not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return
        if self.options.exists():
            return
        if extracted is None:
            extracted = (
                [("不收取任何费用", True), ("按标的收费", False), ("收取工本费", False)]
                if self.qtype == QuestionType.SINGLE
                else [("偏袒一方", True), ("侮辱当事人", True), ("耐心疏导", False)]
            )
        for i, (text, correct) in enumerate(extracted):
            QuestionOption.objects.create(
                question=self, text=text, is_correct=correct, sort_order=i
            )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)
            self.save()


class ExamFactory(factory.django.DjangoModelFactory):
    """``ExamFactory(questions=[q1, q2])`` adds fixed questions in that order."""

    class Meta:
        model = Exam
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"EX-T{n:03d}")
    title = factory.Sequence(lambda n: f"测试考试{n}")
    time_limit_minutes = 30
    pass_mark = Decimal("60")
    shuffle_questions = False
    shuffle_options = False

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if create and extracted:
            for i, q in enumerate(extracted):
                ExamQuestion.objects.get_or_create(
                    exam=self, question=q, defaults={"sort_order": i}
                )


class ExamPoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamPool

    exam = factory.SubFactory(ExamFactory)
    category = Category.MEDIATION
    count = 2

"""Pure functions: question snapshots, answer validation and objective scoring.

Nothing here touches the database, so the rules are easy to test and the same code scores a
submission, an overdue auto-submission and a re-grade.
"""

from __future__ import annotations

import random
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models import CHOICE_TYPES, Law, Question, QuestionType

MAX_TEXT_ANSWER = 5000
MAX_BLANK_ANSWER = 200

_SPACES = re.compile(r"\s+")


class AnswerError(ValueError):
    """A malformed answer. The message is shown to the learner."""


def normalise(text: str) -> str:
    """Compare fill-in answers ignoring full-width/half-width forms, spaces and letter case.

    NFKC folds full-width letters, digits and punctuation (ＡＢＣ１２３，) to their half-width
    forms; the ideographic space (U+3000) becomes a plain space and all spaces are dropped.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub("", folded).casefold()


def build_snapshot(
    question: Question, *, options: list[dict] | None = None, law_labels: dict | None = None
) -> dict:
    """Everything needed to show and score ``question`` later, frozen at attempt start.

    ``options`` (the snapshot's option dicts) and ``law_labels`` (``law_labels()``) let a
    caller building many snapshots read the options in one query and translate each law once.
    """
    snap = {
        "id": question.pk,
        "code": question.code,
        "type": question.qtype,
        "text": question.text,
        "points": str(question.points),
        "explanation": question.explanation,
        "law": (
            law_labels.get(question.law, question.law)
            if law_labels is not None
            else question.get_law_display()
        ),
        "law_article": question.law_article,
    }
    if question.qtype in CHOICE_TYPES:
        snap["options"] = (
            options
            if options is not None
            else [
                {"id": o.pk, "text": o.text, "correct": o.is_correct}
                for o in question.options.all()
            ]
        )
    elif question.qtype == QuestionType.TRUE_FALSE:
        snap["answer"] = bool(question.true_false_answer)
    elif question.qtype == QuestionType.FILL_BLANK:
        snap["accepted"] = question.accepted_answer_list
    elif question.qtype == QuestionType.SHORT_ANSWER:
        snap["rubric"] = rubric_of(question)
    return snap


def law_labels() -> dict[str, str]:
    """The laws' display names in the active language, as ``get_law_display`` gives them."""
    return {value: str(label) for value, label in Law.choices}


def rubric_of(question: Question) -> list[dict]:
    criteria = []
    for block in question.rubric:
        levels = [
            {"points": int(level["points"]), "descriptor": level["descriptor"]}
            for level in block.value["levels"]
        ]
        criteria.append({"name": block.value["name"], "levels": levels})
    return criteria


def rubric_max(rubric: list[dict]) -> int:
    return sum(max((lv["points"] for lv in c["levels"]), default=0) for c in rubric)


def option_order(snapshot: dict, rng: random.Random | None) -> list[int]:
    ids = [o["id"] for o in snapshot.get("options", [])]
    if rng is not None:
        rng.shuffle(ids)
    return ids


def public_view(snapshot: dict, order: list[int]) -> dict:
    """The question as the learner's browser may see it before submission: no key at all."""
    view = {
        "id": snapshot["id"],
        "type": snapshot["type"],
        "text": snapshot["text"],
        "points": snapshot["points"],
    }
    if snapshot["type"] in CHOICE_TYPES:
        by_id = {o["id"]: o["text"] for o in snapshot["options"]}
        view["options"] = [{"id": oid, "text": by_id[oid]} for oid in order if oid in by_id]
    return view


def validate_answer(snapshot: dict, value):
    """Return the answer in canonical form, or raise AnswerError. ``None`` clears an answer."""
    if value is None:
        return None
    qtype = snapshot["type"]
    if qtype == QuestionType.SINGLE:
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerError(_("Choose one option (send its id as a number)."))
        if value not in {o["id"] for o in snapshot["options"]}:
            raise AnswerError(_("That option does not belong to this question."))
        return value
    if qtype == QuestionType.MULTIPLE:
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in value
        ):
            raise AnswerError(_("Send the chosen options as a list of ids."))
        valid = {o["id"] for o in snapshot["options"]}
        if not set(value) <= valid:
            raise AnswerError(_("That option does not belong to this question."))
        return sorted(set(value))
    if qtype == QuestionType.TRUE_FALSE:
        if not isinstance(value, bool):
            raise AnswerError(_("Answer true or false."))
        return value
    if qtype in (QuestionType.FILL_BLANK, QuestionType.SHORT_ANSWER):
        if not isinstance(value, str):
            raise AnswerError(_("Send the answer as text."))
        limit = MAX_BLANK_ANSWER if qtype == QuestionType.FILL_BLANK else MAX_TEXT_ANSWER
        if len(value) > limit:
            raise AnswerError(
                _("The answer is too long (at most %(n)d characters).") % {"n": limit}
            )
        return value
    raise AnswerError(_("Unknown question type."))


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score_objective(snapshot: dict, answer) -> tuple[Decimal, bool]:
    """Points and correctness of an objective answer. Multiple choice is all-or-nothing."""
    points = Decimal(snapshot["points"])
    qtype = snapshot["type"]
    correct = False
    if answer is None:
        correct = False
    elif qtype == QuestionType.SINGLE:
        correct = any(o["id"] == answer and o["correct"] for o in snapshot["options"])
    elif qtype == QuestionType.MULTIPLE:
        key = {o["id"] for o in snapshot["options"] if o["correct"]}
        correct = set(answer) == key
    elif qtype == QuestionType.TRUE_FALSE:
        correct = answer is snapshot["answer"]
    elif qtype == QuestionType.FILL_BLANK:
        given = normalise(answer)
        correct = bool(given) and any(normalise(a) == given for a in snapshot["accepted"])
    return (_q(points) if correct else Decimal("0.00")), correct


def rubric_points(snapshot: dict, levels: dict) -> Decimal:
    """Question points earned for the chosen rubric ``levels`` ({criterion index: level index})."""
    rubric = snapshot["rubric"]
    if not isinstance(levels, dict) or set(levels) != {str(i) for i in range(len(rubric))}:
        raise AnswerError(_("Choose one level for every criterion."))
    earned = 0
    for i, criterion in enumerate(rubric):
        index = levels[str(i)]
        if not isinstance(index, int) or not 0 <= index < len(criterion["levels"]):
            raise AnswerError(_("Choose one level for every criterion."))
        earned += criterion["levels"][index]["points"]
    top = rubric_max(rubric)
    if top == 0:
        return Decimal("0.00")
    return _q(Decimal(snapshot["points"]) * Decimal(earned) / Decimal(top))


def correct_answer_text(snapshot: dict) -> str:
    """The key, as text for the result page (only after submission, by policy)."""
    qtype = snapshot["type"]
    if qtype in CHOICE_TYPES:
        return "；".join(o["text"] for o in snapshot["options"] if o["correct"])
    if qtype == QuestionType.TRUE_FALSE:
        return _("True") if snapshot["answer"] else _("False")
    if qtype == QuestionType.FILL_BLANK:
        return " / ".join(snapshot["accepted"])
    return ""


def answer_text(snapshot: dict, answer) -> str:
    if answer is None:
        return ""
    qtype = snapshot["type"]
    if qtype in CHOICE_TYPES:
        chosen = {answer} if qtype == QuestionType.SINGLE else set(answer)
        return "；".join(o["text"] for o in snapshot["options"] if o["id"] in chosen)
    if qtype == QuestionType.TRUE_FALSE:
        return _("True") if answer else _("False")
    return str(answer)

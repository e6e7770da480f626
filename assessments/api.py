"""JSON API of the exam player (``/api/v1/``): session auth with CSRF, or token auth."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .access import exams_for_learner, get_attempt_for, get_exam_for
from .presenters import attempt_payload, exam_summaries

MAX_ANSWER_BODY = 16 * 1024


class CourseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class BestResultSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField()


class ExamSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    course = CourseRefSerializer(allow_null=True)
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_attempts = serializers.IntegerField(allow_null=True)
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    attempt_in_progress = serializers.IntegerField(allow_null=True)
    best_result = BestResultSerializer(allow_null=True)
    url = serializers.CharField()


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class FeedbackSerializer(serializers.Serializer):
    correct = serializers.BooleanField(allow_null=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    correct_answer = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="question id, used in the answers URL")
    position = serializers.IntegerField()
    type = serializers.CharField()
    text = serializers.CharField()
    points = serializers.DecimalField(max_digits=5, decimal_places=2)
    options = OptionSerializer(many=True, required=False)
    answer = serializers.JSONField(allow_null=True)
    seq = serializers.IntegerField()
    saved_at = serializers.DateTimeField(allow_null=True)
    feedback = FeedbackSerializer(required=False, help_text="only after release, by policy")


class ExamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    layout = serializers.CharField()
    feedback_policy = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField()
    points_awarded = serializers.DecimalField(max_digits=8, decimal_places=2)
    points_possible = serializers.DecimalField(max_digits=8, decimal_places=2)
    graded_at = serializers.DateTimeField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exam = ExamRefSerializer()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["in_progress", "marking", "graded"])
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    server_time = serializers.DateTimeField()
    seconds_remaining = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    questions = AttemptQuestionSerializer(many=True)
    result = ResultSerializer(allow_null=True)
    result_url = serializers.CharField()


class AnswerInSerializer(serializers.Serializer):
    answer = serializers.JSONField(
        allow_null=True,
        help_text=(
            "single: option id; multiple: list of option ids; true_false: true/false; "
            "fill_blank / short_answer: text; null clears the answer"
        ),
    )
    seq = serializers.IntegerField(
        min_value=1,
        max_value=2_000_000_000,
        help_text="must be greater than the seq stored for this question",
    )


class AnswerOutSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    seq = serializers.IntegerField()
    saved_at = serializers.DateTimeField()


ErrorSerializer = inline_serializer(
    "AssessmentError",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current_seq": serializers.IntegerField(required=False),
        "answer": serializers.JSONField(required=False),
    },
)

ERROR_CODES = {
    services.ExamNotOpen: "exam_not_open",
    services.NoAttemptsLeft: "no_attempts_left",
    services.AttemptClosed: "attempt_closed",
    services.DeadlinePassed: "deadline_passed",
    services.StaleAnswer: "stale_seq",
    services.NotInAttempt: "not_in_attempt",
    services.InvalidAnswer: "invalid_answer",
}


def error_response(exc: services.AssessmentError) -> Response:
    body = {"detail": str(exc), "code": ERROR_CODES.get(type(exc), "refused"), **exc.extra}
    return Response(body, status=exc.status)


class ExamListView(APIView):
    @extend_schema(
        summary="Exams open to me",
        responses={200: ExamSummarySerializer(many=True)},
        tags=["exams"],
    )
    def get(self, request):
        now = timezone.now()
        exams = list(exams_for_learner(request.user, now).select_related("course"))
        data = exam_summaries(exams, request.user, now)
        return Response(ExamSummarySerializer(data, many=True).data)


class StartAttemptView(APIView):
    @extend_schema(
        summary="Start an attempt, or return the one in progress",
        request=None,
        responses={
            201: AttemptSerializer,
            200: AttemptSerializer,
            404: OpenApiResponse(description="Unknown exam"),
            409: ErrorSerializer,
        },
        tags=["exams"],
    )
    def post(self, request, exam_id: int):
        exam = get_exam_for(request.user, exam_id)
        try:
            attempt, created = services.start_attempt(exam, acting_user=request.user)
        except services.AssessmentError as exc:
            return error_response(exc)
        return Response(
            AttemptSerializer(attempt_payload(attempt)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttemptDetailView(APIView):
    @extend_schema(
        summary="My attempt: questions without keys, saved answers with seq, seconds remaining",
        responses={200: AttemptSerializer, 404: OpenApiResponse(description="Not found")},
        tags=["attempts"],
    )
    def get(self, request, attempt_id: int):
        attempt = get_attempt_for(request.user, attempt_id)
        return Response(AttemptSerializer(attempt_payload(attempt)).data)


class AnswerView(APIView):
    @extend_schema(
        summary="Save one answer (autosave)",
        request=AnswerInSerializer,
        responses={
            200: AnswerOutSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="Stale seq, attempt submitted or past the deadline"
            ),
            413: ErrorSerializer,
        },
        tags=["attempts"],
    )
    def put(self, request, attempt_id: int, question_id: int):
        attempt = get_attempt_for(request.user, attempt_id)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_ANSWER_BODY:
            return Response(
                {"detail": _("The answer is too large."), "code": "too_large"},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if not isinstance(request.data, dict):
            return Response(
                {"detail": _("Send a JSON object with answer and seq."), "code": "invalid"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        incoming = AnswerInSerializer(data=request.data)
        if not incoming.is_valid():
            return Response(
                {
                    "detail": _("Send a JSON object with answer and seq (a positive number)."),
                    "code": "invalid",
                    "errors": incoming.errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            saved = services.save_answer(
                attempt,
                question_id,
                incoming.validated_data["answer"],
                incoming.validated_data["seq"],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            return error_response(exc)
        return Response(
            AnswerOutSerializer(
                {"question_id": saved.question_id, "seq": saved.seq, "saved_at": saved.saved_at}
            ).data
        )


class SubmitView(APIView):
    @extend_schema(
        summary="Submit my attempt (idempotent); the result is included once released",
        request=None,
        responses={200: AttemptSerializer, 404: OpenApiResponse(description="Not found")},
        tags=["attempts"],
    )
    def post(self, request, attempt_id: int):
        attempt = get_attempt_for(request.user, attempt_id)
        try:
            attempt = services.submit_attempt(attempt, acting_user=request.user)
        except services.AssessmentError as exc:
            return error_response(exc)
        return Response(AttemptSerializer(attempt_payload(attempt)).data)

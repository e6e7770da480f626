from django.urls import path

from . import api

urlpatterns = [
    path("exams/", api.ExamListView.as_view(), name="api-exams"),
    path(
        "exams/<int:exam_id>/attempts/",
        api.StartAttemptView.as_view(),
        name="api-exam-attempts",
    ),
    path("attempts/<int:attempt_id>/", api.AttemptDetailView.as_view(), name="api-attempt"),
    path(
        "attempts/<int:attempt_id>/answers/<int:question_id>/",
        api.AnswerView.as_view(),
        name="api-attempt-answer",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        api.SubmitView.as_view(),
        name="api-attempt-submit",
    ),
]

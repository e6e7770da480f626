from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("exams/", views.exam_list, name="exam_list"),
    path("exams/<int:pk>/", views.exam_detail, name="exam_detail"),
    path("exams/<int:pk>/start/", views.exam_start, name="exam_start"),
    path("exams/attempts/<int:pk>/", views.attempt_player, name="attempt_player"),
    path("exams/attempts/<int:pk>/result/", views.attempt_result, name="attempt_result"),
    path("exams/marking/", views.marking_queue, name="marking_queue"),
    path("exams/marking/<int:pk>/", views.mark_item, name="mark_item"),
    path("exams/statistics/", views.statistics_index, name="statistics_index"),
    path("exams/<int:pk>/statistics/", views.exam_statistics, name="exam_statistics"),
]

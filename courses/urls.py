from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("learn/courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("learn/courses/<int:pk>/resume/", views.resume, name="resume"),
    path("learn/lessons/<int:pk>/complete/", views.complete_lesson, name="complete_lesson"),
    path("learn/mine/", views.my_learning, name="my_learning"),
    path("learn/assign/", views.assign, name="assign"),
    path("learn/cohort/", views.CohortView.as_view(), name="cohort"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/checkin/", views.checkin, name="checkin"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/register/", views.session_register, name="session_register"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/manage/", views.session_manage, name="session_manage"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/qr.svg", views.session_qr_svg, name="session_qr_svg"),
]

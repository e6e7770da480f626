from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .filters import QuestionFilterSet
from .models import Exam, Question


@hooks.register("register_log_actions")
def register_assessment_log_actions(actions):
    actions.register_action(
        "assessments.question_imported", _("Import question"), _("Imported from XLSX")
    )
    actions.register_action("assessments.attempt_started", _("Start attempt"), _("Attempt started"))
    actions.register_action(
        "assessments.attempt_submitted", _("Submit attempt"), _("Attempt submitted")
    )
    actions.register_action(
        "assessments.attempt_auto_submitted",
        _("Auto-submit attempt"),
        _("Attempt submitted automatically at the deadline"),
    )
    actions.register_action("assessments.answer_marked", _("Mark answer"), _("Short answer marked"))
    actions.register_action(
        "assessments.results_released", _("Release result"), _("Result released after marking")
    )
    actions.register_action(
        "assessments.statistics_computed", _("Compute statistics"), _("Item statistics computed")
    )


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    filterset_class = QuestionFilterSet
    list_display = [
        "code",
        Column("text", label=_("question text")),
        "qtype",
        "category",
        "tier",
        "difficulty",
        "law",
    ]
    list_per_page = 50
    search_fields = ["text", "code"]
    ordering = ["code"]

    def get_queryset(self, request):
        return Question.objects.all().order_by("code")


class ExamViewSet(SnippetViewSet):
    model = Exam
    icon = "form"
    menu_label = _("Exams")
    list_display = ["code", "title", "time_limit_minutes", "pass_mark", "is_active"]
    list_filter = ["is_active", "grading_method", "feedback_policy"]
    search_fields = ["title", "code"]
    ordering = ["code"]


class AssessmentsGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, ExamViewSet)
    menu_icon = "form"
    menu_label = _("Exams")
    menu_name = "assessments"


register_snippet(AssessmentsGroup)


@hooks.register("register_admin_urls")
def register_assessment_admin_urls():
    return [
        path(
            "assessments/questions/import/",
            admin_views.import_view,
            name="assessments_question_import",
        ),
        path(
            "assessments/questions/template.xlsx",
            admin_views.template_view,
            name="assessments_question_template",
        ),
        path(
            "assessments/questions/export.xlsx",
            admin_views.export_view,
            name="assessments_question_export",
        ),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, perm: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.perm = perm

    def is_shown(self, request):
        return request.user.has_perm(self.perm)


@hooks.register("register_admin_menu_item")
def register_question_import_menu_item():
    return PermissionMenuItem(
        _("Import questions"),
        reverse("assessments_question_import"),
        icon_name="upload",
        order=320,
        perm="assessments.add_question",
    )


class MarkerMenuItem(MenuItem):
    def is_shown(self, request):
        from .access import is_marker

        return is_marker(request.user)


@hooks.register("register_admin_menu_item")
def register_marking_menu_item():
    return MarkerMenuItem(
        _("Marking and item statistics"),
        reverse("assessments:marking_queue"),
        icon_name="tasks",
        order=321,
    )

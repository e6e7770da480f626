"""Wagtail admin views: question import (with template) and export."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .filters import QuestionFilterSet
from .importing import export_xlsx, template_xlsx
from .models import Question
from .services import import_questions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuestionUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSX file"))


def import_view(request):
    if not request.user.has_perm("assessments.add_question"):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = QuestionUploadForm(request.POST, request.FILES)
        if form.is_valid():
            report = import_questions(form.cleaned_data["file"], acting_user=request.user)
    else:
        form = QuestionUploadForm()
    return TemplateResponse(
        request,
        "assessments/admin/import_questions.html",
        {"form": form, "report": report, "page_title": _("Import questions")},
    )


def template_view(request):
    if not request.user.has_perm("assessments.add_question"):
        raise PermissionDenied
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="question-template.xlsx"'
    return response


def export_view(request):
    if not request.user.has_perm("assessments.view_question"):
        raise PermissionDenied
    queryset = Question.objects.prefetch_related("options", "tags").order_by("code")
    filterset = QuestionFilterSet(request.GET or None, queryset=queryset, request=request)
    questions = filterset.qs if filterset.is_valid() else queryset
    response = HttpResponse(export_xlsx(questions), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="questions.xlsx"'
    return response

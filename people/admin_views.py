"""Wagtail admin views for people: roster import and its templates."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.snippets.views.snippets import DeleteView

from .forms import RosterUploadForm
from .importing import template_csv, template_xlsx
from .lockout import unlock
from .services import import_workers


def import_roster(request):
    if not request.user.has_perm("people.import_workers"):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_workers(upload, upload.name, acting_user=request.user)
    else:
        form = RosterUploadForm()
    return TemplateResponse(
        request,
        "people/admin/import_roster.html",
        {"form": form, "report": report, "page_title": _("Import workers")},
    )


def roster_template(request, fmt: str):
    if not request.user.has_perm("people.import_workers"):
        raise PermissionDenied
    if fmt == "xlsx":
        content = template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = template_csv()
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="worker-roster-template.{fmt}"'
    return response


class UnlockLoginView(DeleteView):
    """Deleting a login lock is unlocking the account, through the audit-logged service."""

    def delete_action(self):
        unlock(self.object, acting_user=self.request.user)

"""HR views: records (list, detail, unmasking, exports), dashboards, audit log, API tokens,
and the API docs page. Every view checks the role first and scopes every object by the
viewer's jurisdiction (``records.records_for``): another street's worker answers 404."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import registry as log_registry

from assessments import queries as exam_queries
from certification.models import Certificate, GradeReviewItem
from people.access import sees_everything
from people.models import GradeRecord, WorkerProfile
from people.services import reveal_personal_data

from . import charts, exports, records
from .audit import AuditFilterSet, audit_entries_for
from .filters import RecordFilterSet, clean_params
from .forms import TokenForm
from .models import ExportJob
from .tokens import can_manage_tokens, create_token, revoke_token, tokens_visible_to


def _require_records(user) -> None:
    if not records.can_view_records(user):
        raise PermissionDenied


class RecordsView(ReportView):
    """One row per worker of the viewer's jurisdiction, filterable, exportable."""

    page_title = gettext_lazy("HR records")
    header_icon = "group"
    index_url_name = "hr_records"
    index_results_url_name = "hr_records_results"
    filterset_class = RecordFilterSet
    paginate_by = 50
    default_ordering = "employee_no"
    list_export = ["employee_no"]  # shows Wagtail's export buttons; rows come from exports.py

    def dispatch(self, request, *args, **kwargs):
        _require_records(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.filter_queryset(records.records_for(self.request.user)).order_by(
            self.ordering or "employee_no"
        )

    def get_filtered_queryset(self):
        return self.get_queryset()

    @cached_property
    def columns(self):
        return [
            Column("employee_no", label=_("Employee number"), sort_key="employee_no"),
            TitleColumn(
                "name",
                label=_("Name"),
                get_url=lambda w: reverse("hr_record", args=[w.pk]),
            ),
            Column("unit_label", label=_("Org unit")),
            Column("post_label", label=_("Post")),
            Column("grade", label=_("Grade"), sort_key="grade"),
            Column("mobile_masked", label=_("Mobile")),
            Column("cert_level", label=_("Level")),
            Column("status_label", label=_("Status")),
            DateColumn("cert_expires_on", label=_("Expires on"), sort_key="cert_expires_on"),
            Column("cpd_this_year", label=_("CPD this year")),
            Column("cpd_last_year", label=_("CPD last year")),
            Column("courses_completed", label=_("Courses")),
            Column("simulations_text", label=_("Simulations")),
            Column("eligibility_label", label=_("Grade review")),
        ]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        index = records.OrgIndex.for_user(self.request.user)
        workers = records.decorate(list(object_list))
        for w in workers:
            w.unit_label = index.full_name(w.org_unit)
            w.post_label = w.get_post_display()
        page.object_list = workers
        return paginator, page, workers, is_paginated

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm("people.unmask_personal_data"):
            for fmt, priority in (("xlsx", 110), ("csv", 120)):
                params = self.request.GET.copy()
                params["export"] = fmt
                params["unmask"] = "1"
                buttons.append(
                    Button(
                        _("Download %(fmt)s (unmasked, logged)") % {"fmt": fmt.upper()},
                        url=f"{self.request.path}?{params.urlencode()}",
                        icon_name="download",
                        priority=priority,
                    )
                )
        buttons.append(
            Button(_("My exports"), url=reverse("hr_exports"), icon_name="list-ul", priority=130)
        )
        return buttons

    def get(self, request, *args, **kwargs):
        # Exports go straight to exports.py: building the listing context first would load
        # every row (Wagtail counts an unpaginated list with len()).
        if self.is_export:
            return export_response(request, request.GET.get("export"))
        return super().get(request, *args, **kwargs)


def export_response(request, fmt: str):
    params = clean_params(request.GET)
    unmasked = request.GET.get("unmask") == "1"
    back = reverse("hr_records") + ("?" + urlencode(params) if params else "")
    try:
        job, qs = exports.start_export(params, fmt, acting_user=request.user, unmasked=unmasked)
    except exports.ExportError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if job.status == ExportJob.Status.PENDING:
        messages.info(
            request,
            _("%(n)s rows: the file is being prepared in the background.") % {"n": job.row_count},
        )
        return redirect("hr_export", key=job.key)
    index = records.OrgIndex.for_user(request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"hr-records-{stamp}.{fmt}"
    if fmt == ExportJob.Format.CSV:
        response = StreamingHttpResponse(
            exports.stream_csv(qs, index, unmasked=unmasked), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.write_xlsx(qs, index, tmp, unmasked=unmasked)
    tmp.seek(0)
    return FileResponse(
        tmp, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE
    )


def record_detail(request, pk: int):
    """A worker's full record and history; ``POST`` with ``reveal`` unmasks for this response."""
    _require_records(request.user)
    try:
        worker = records.records_for(request.user).get(pk=pk)
    except WorkerProfile.DoesNotExist as exc:
        raise Http404 from exc
    revealed = None
    if request.method == "POST":
        if not request.user.has_perm("people.unmask_personal_data"):
            raise PermissionDenied
        reason = (request.POST.get("reason") or "").strip()[:200]
        revealed = reveal_personal_data(worker, acting_user=request.user, reason=reason)
    records.decorate([worker])
    extras = worker.extras
    certificates = (
        Certificate.objects.filter(worker=worker)
        .select_related("level")
        .prefetch_related("events")
        .order_by("-issued_on", "-pk")
    )
    exams = exam_queries.best_exam_results([worker.user_id]).get(worker.user_id, {})
    context = {
        "page_title": worker.name,
        "worker": worker,
        "unit_label": records.OrgIndex.for_user(request.user).full_name(worker.org_unit),
        "certificates": certificates,
        "grade_history": GradeRecord.objects.filter(worker=worker).order_by("-effective_date"),
        "appraisals": worker.appraisals.all(),
        "review_items": GradeReviewItem.objects.filter(worker=worker)
        .select_related("review")
        .order_by("-review__review_date", "-review_id")[:10],
        "courses": sorted(extras.courses.items(), key=lambda kv: kv[1], reverse=True),
        "exams": sorted(exams.items()),
        "simulations": sorted(extras.simulations.items()),
        "revealed": revealed,
        "can_unmask": request.user.has_perm("people.unmask_personal_data"),
    }
    return TemplateResponse(request, "hr/admin/record_detail.html", context)


def export_list(request):
    _require_records(request.user)
    jobs = ExportJob.objects.filter(user=request.user)[:50]
    return TemplateResponse(
        request, "hr/admin/exports.html", {"jobs": jobs, "page_title": _("My exports")}
    )


def export_status(request, key):
    _require_records(request.user)
    job = get_object_or_404(ExportJob, key=key, user=request.user)
    return TemplateResponse(
        request, "hr/admin/export_status.html", {"job": job, "page_title": _("Export")}
    )


def export_download(request, key):
    _require_records(request.user)
    job = get_object_or_404(ExportJob, key=key, user=request.user)
    path = exports.file_of(job) if job.downloadable else None
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"hr-records-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.{job.format}",
        content_type=exports.XLSX_CONTENT_TYPE
        if job.format == ExportJob.Format.XLSX
        else "text/csv; charset=utf-8",
    )


def dashboard_view(request):
    _require_records(request.user)
    figures = charts.dashboard(request.user)
    return TemplateResponse(
        request,
        "hr/admin/dashboard.html",
        {
            "figures": figures,
            "page_title": _("HR dashboard"),
            "scope": request.user.jurisdiction if not sees_everything(request.user) else None,
        },
    )


class AuditView(ReportView):
    """The audit log of the viewer's jurisdiction: read-only, filter by person, action, date."""

    page_title = gettext_lazy("Audit log")
    header_icon = "history"
    index_url_name = "hr_audit"
    index_results_url_name = "hr_audit_results"
    filterset_class = AuditFilterSet
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not records.can_view_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.filter_queryset(audit_entries_for(self.request.user))

    def get_filtered_queryset(self):
        return self.get_queryset()

    @cached_property
    def columns(self):
        return [
            Column("when", label=_("When")),
            Column("who", label=_("Who")),
            Column("action_label", label=_("Action")),
            Column("label", label=_("Object")),
            Column("details", label=_("Details")),
        ]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        entries = list(object_list)
        for e in entries:
            e.when = timezone.localtime(e.timestamp).strftime("%Y-%m-%d %H:%M:%S")
            e.who = e.user.get_full_name() if e.user_id and e.user else _("system")
            try:
                e.action_label = log_registry.get_action_label(e.action)
            except KeyError:
                e.action_label = e.action
            e.details = ", ".join(f"{k}: {v}" for k, v in (e.data or {}).items())[:300]
        page.object_list = entries
        return paginator, page, entries, is_paginated


def token_list(request):
    if not can_manage_tokens(request.user):
        raise PermissionDenied
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, key = create_token(
                    form.cleaned_data["name"],
                    form.cleaned_data["org_unit"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                created = {"token": token, "key": key}
                form = TokenForm(user=request.user)
    else:
        form = TokenForm(user=request.user)
    response = TemplateResponse(
        request,
        "hr/admin/tokens.html",
        {
            "form": form,
            "tokens": tokens_visible_to(request.user),
            "created": created,
            "page_title": _("API tokens"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk: int):
    if not can_manage_tokens(request.user):
        raise PermissionDenied
    token = get_object_or_404(tokens_visible_to(request.user), pk=pk)
    revoke_token(token, acting_user=request.user)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("hr_tokens"))


def records_redirect(request):
    return redirect("hr_records")


def api_docs(request):
    """The API reference, rendered here from the OpenAPI schema (no external script or CDN)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in sorted(schema.get("paths", {}).items()):
        for method, op in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [
                {
                    "name": p.get("name"),
                    "where": p.get("in"),
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                    "enum": (p.get("schema") or {}).get("enum"),
                }
                for p in op.get("parameters", [])
            ]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "params": params,
                    "responses": sorted(op.get("responses", {}).keys()),
                }
            )
    return TemplateResponse(
        request,
        "hr/api_docs.html",
        {"schema": schema, "operations": operations, "info": schema.get("info", {})},
    )

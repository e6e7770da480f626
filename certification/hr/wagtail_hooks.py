from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import views
from .records import can_view_audit, can_view_records
from .tokens import can_manage_tokens


@hooks.register("register_log_actions")
def register_hr_log_actions(actions):
    actions.register_action("hr.exported", _("Export HR records"), _("HR records exported"))
    actions.register_action("hr.token_created", _("Create API token"), _("API token created"))
    actions.register_action("hr.token_revoked", _("Revoke API token"), _("API token revoked"))


@hooks.register("register_admin_urls")
def register_hr_admin_urls():
    return [
        path("hr/records/", views.RecordsView.as_view(), name="hr_records"),
        path(
            "hr/records/results/",
            views.RecordsView.as_view(results_only=True),
            name="hr_records_results",
        ),
        path("hr/records/<int:pk>/", views.record_detail, name="hr_record"),
        path("hr/exports/", views.export_list, name="hr_exports"),
        path("hr/exports/<uuid:key>/", views.export_status, name="hr_export"),
        path("hr/exports/<uuid:key>/download/", views.export_download, name="hr_export_download"),
        path("hr/dashboard/", views.dashboard_view, name="hr_dashboard"),
        path("hr/audit/", views.AuditView.as_view(), name="hr_audit"),
        path(
            "hr/audit/results/", views.AuditView.as_view(results_only=True), name="hr_audit_results"
        ),
        path("hr/tokens/", views.token_list, name="hr_tokens"),
        path("hr/tokens/<int:pk>/revoke/", views.token_revoke, name="hr_token_revoke"),
    ]


class _Item(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


class _Submenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_view_records(request.user)


@hooks.register("register_admin_menu_item")
def register_hr_menu():
    entries = [
        (_("Records"), "hr_records", "group", can_view_records),
        (_("Dashboard"), "hr_dashboard", "table", can_view_records),
        (_("My exports"), "hr_exports", "download", can_view_records),
        (_("Audit log"), "hr_audit", "history", can_view_audit),
        (_("API tokens"), "hr_tokens", "key", can_manage_tokens),
        (_("API docs"), "hr-api-docs", "doc-full", can_view_records),
    ]
    menu = Menu(
        items=[
            _Item(label, reverse(url_name), icon_name=icon, order=10 * i, check=check)
            for i, (label, url_name, icon, check) in enumerate(entries, start=1)
        ]
    )
    return _Submenu(_("HR"), menu, icon_name="group", name="hr", order=250)

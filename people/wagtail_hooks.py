from django.urls import path, re_path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_scoping import ScopedObjectViewSetMixin
from .forms import OrgUnitForm
from .models import LoginLock, OrgUnit, WorkerProfile
from .permissions import LoginLockPermissionPolicy, OrgUnitPermissionPolicy, WorkerPermissionPolicy

register_permission_policy(WorkerProfile, WorkerPermissionPolicy(WorkerProfile))
register_permission_policy(OrgUnit, OrgUnitPermissionPolicy(OrgUnit))
register_permission_policy(LoginLock, LoginLockPermissionPolicy(LoginLock))


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action("people.worker_imported", _("Import worker"), _("Imported from roster"))
    actions.register_action("people.grade_changed", _("Change grade"), _("Grade changed"))
    actions.register_action("people.login_unlocked", _("Unlock login"), _("Login unlocked"))
    actions.register_action(
        "people.personal_data_revealed",
        _("Reveal personal data"),
        _("Unmasked mobile and ID number viewed"),
    )


class WorkerViewSet(ScopedObjectViewSetMixin, SnippetViewSet):
    model = WorkerProfile
    icon = "user"
    menu_label = _("Workers")
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "employee_no",
        Column("name", label=_("full name")),
        "org_unit",
        "post",
        "grade",
        Column("mobile_masked", label=_("mobile number")),
    ]
    list_filter = ["post", "grade", "education", "sw_qualification"]
    list_per_page = 50
    search_fields = ["employee_no", "user__name"]
    inspect_view_fields = [
        "employee_no",
        "org_unit",
        "post",
        "grade",
        "service_start_date",
        "education",
        "sw_qualification",
        "sw_qualification_date",
    ]

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view", "change"]
        ).select_related("user", "org_unit")


class OrgUnitViewSet(ScopedObjectViewSetMixin, SnippetViewSet):
    model = OrgUnit
    icon = "site"
    menu_label = _("Org tree")
    copy_view_enabled = False
    list_display = [Column("full_name", label=_("name")), "level", "code"]
    ordering = ["path"]
    list_per_page = 100
    search_fields = ["name", "code"]

    def get_form_class(self, for_update=False):
        return OrgUnitForm

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view", "change"]
        ).order_by("path")


class LoginLockViewSet(ScopedObjectViewSetMixin, SnippetViewSet):
    """Accounts locked after failed logins; "delete" lifts the lock."""

    model = LoginLock
    icon = "lock-open"
    menu_label = _("Locked logins")
    copy_view_enabled = False
    list_display = ["identifier", "failures", "locked_until"]
    search_fields = ["identifier"]
    delete_view_class = admin_views.UnlockLoginView

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view", "delete"]
        )


class PeopleGroup(SnippetViewSetGroup):
    items = (WorkerViewSet, OrgUnitViewSet, LoginLockViewSet)
    menu_icon = "group"
    menu_label = _("People")
    menu_name = "people"


register_snippet(PeopleGroup)


@hooks.register("register_admin_urls")
def register_people_admin_urls():
    return [
        path("people/import/", admin_views.import_roster, name="people_import"),
        re_path(
            r"^people/import/template\.(?P<fmt>csv|xlsx)$",
            admin_views.roster_template,
            name="people_import_template",
        ),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("people.import_workers")


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Import workers"), reverse("people_import"), icon_name="upload", order=310
    )

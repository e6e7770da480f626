from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from people.access import can_see_org_unit, sees_everything
from people.admin_scoping import ScopedObjectViewSetMixin

from .access import manageable_sessions
from .models import TrainingSession


@hooks.register("register_log_actions")
def register_courses_log_actions(actions):
    for action, label, message in [
        ("courses.enrolled", _("Enrol"), _("Enrolled in a course")),
        ("courses.assigned", _("Assign course"), _("Course assigned to an org unit")),
        ("courses.lesson_completed", _("Complete lesson"), _("Lesson completed")),
        ("courses.course_completed", _("Complete course"), _("Course completed")),
        ("courses.hours_credited", _("Credit hours"), _("CPD hours credited")),
        ("courses.session_registered", _("Register for session"), _("Registered for a session")),
        (
            "courses.session_cancelled",
            _("Cancel registration"),
            _("Session registration cancelled"),
        ),
        (
            "courses.session_promoted",
            _("Promote from waiting list"),
            _("Moved up from the waiting list"),
        ),
        ("courses.checked_in", _("Check in"), _("Checked in with the QR code")),
        ("courses.attendance_marked", _("Mark attendance"), _("Attendance marked by hand")),
    ]:
        actions.register_action(action, label, message)


# --- Offline sessions in the admin: trainers create and edit them within their jurisdiction ----


class SessionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, limited to sessions the user trains or whose unit they cover."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return user.is_active and user.is_superuser
        return super().user_has_permission(user, action)

    def _in_reach(self, user, session) -> bool:
        return (
            sees_everything(user)
            or session.trainer_id == user.pk
            or can_see_org_unit(user, session.org_unit)
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._in_reach(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return manageable_sessions(user)


register_permission_policy(TrainingSession, SessionPermissionPolicy(TrainingSession))


class TrainingSessionViewSet(ScopedObjectViewSetMixin, SnippetViewSet):
    model = TrainingSession
    icon = "date"
    menu_label = _("Offline sessions")
    menu_order = 220
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = [
        "title",
        "kind",
        Column("starts_at", label=_("starts at")),
        "capacity",
        "trainer",
    ]
    list_filter = ["kind", "training_base"]
    search_fields = ["title", "address"]
    ordering = ["-starts_at"]
    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("course"),
        MultiFieldPanel(
            [FieldPanel("training_base"), FieldPanel("address"), FieldPanel("org_unit")],
            heading=_("Where"),
        ),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading=_("When")),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("hours")]),
        FieldPanel("trainer"),
        FieldPanel("description"),
        FieldPanel("cases", widget=forms.CheckboxSelectMultiple),
    ]

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view", "change"]
        ).order_by("-starts_at")


register_snippet(TrainingSessionViewSet)

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


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

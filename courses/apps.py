from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

STAFF_SESSION_PERMS = [
    "courses.add_trainingsession",
    "courses.change_trainingsession",
    "courses.view_trainingsession",
    "courses.mark_attendance",
]


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.roles import DISTRICT_ADMIN, HR, TRAINER, register_role_permissions

        from . import dashboard  # noqa: F401  (header link cache invalidation)

        register_role_permissions(
            TRAINER,
            [
                "courses.assign_course",
                "courses.view_cohort_progress",
                "courses.view_cpdentry",
                *STAFF_SESSION_PERMS,
            ],
        )
        register_role_permissions(
            DISTRICT_ADMIN,
            [
                "courses.assign_course",
                "courses.view_cohort_progress",
                "courses.view_cpdentry",
                *STAFF_SESSION_PERMS,
            ],
        )
        register_role_permissions(HR, ["courses.view_cohort_progress", "courses.view_cpdentry"])

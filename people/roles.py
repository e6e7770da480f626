"""Platform roles as Django groups, with the permissions each one carries.

Groups and their model permissions are (re)applied after every ``migrate`` (post_migrate), so
every environment has them. Later apps add their permissions with
``register_role_permissions(role, [...])`` in their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

LEARNER = "learner"
TRAINER = "trainer"
REVIEWER = "reviewer"
HR = "hr"
DISTRICT_ADMIN = "district_admin"

# Group names as people see them in the admin (stable: code refers to the keys above).
ROLE_GROUP_NAMES: dict[str, str] = {
    LEARNER: "学员",
    TRAINER: "培训师",
    REVIEWER: "评审员",
    HR: "人事专员",
    DISTRICT_ADMIN: "区级管理员",
}
ROLE_LABELS = {
    LEARNER: _("Learner"),
    TRAINER: _("Trainer"),
    REVIEWER: _("Reviewer"),
    HR: _("HR"),
    DISTRICT_ADMIN: _("District admin"),
}
# Roles that work in the Wagtail admin and are scoped to an org subtree (User.jurisdiction).
STAFF_ROLES = {TRAINER, REVIEWER, HR, DISTRICT_ADMIN}

_ROLE_PERMISSIONS: dict[str, set[str]] = defaultdict(set)


def register_role_permissions(role: str, perms: list[str]) -> None:
    """Declare that ``role`` carries ``perms`` ("app_label.codename")."""
    if role not in ROLE_GROUP_NAMES:
        raise ValueError(f"Unknown role {role!r}")
    _ROLE_PERMISSIONS[role].update(perms)


register_role_permissions(TRAINER, ["wagtailadmin.access_admin"])
register_role_permissions(REVIEWER, ["wagtailadmin.access_admin"])
register_role_permissions(HR, ["wagtailadmin.access_admin", "people.view_workerprofile"])
register_role_permissions(
    DISTRICT_ADMIN,
    [
        "wagtailadmin.access_admin",
        "people.view_workerprofile",
        "people.add_workerprofile",
        "people.change_workerprofile",
        "people.import_workers",
        "people.view_orgunit",
        "people.add_orgunit",
        "people.change_orgunit",
        "people.view_loginlock",
        "people.delete_loginlock",
        "people.unmask_personal_data",
    ],
)


def group_for(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
    return group


def ensure_roles() -> None:
    """Create the role groups and give each the permissions registered for it. Idempotent."""
    for role in ROLE_GROUP_NAMES:
        group = group_for(role)
        wanted = _ROLE_PERMISSIONS.get(role, set())
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.add(*perms)


def roles_of(user) -> set[str]:
    """The role keys of a user (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_ga_roles", None)
    if cached is None:
        by_name = {name: role for role, name in ROLE_GROUP_NAMES.items()}
        names = user.groups.values_list("name", flat=True)
        cached = {by_name[n] for n in names if n in by_name}
        user._ga_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def assign_role(user, role: str) -> None:
    user.groups.add(group_for(role))
    user.__dict__.pop("_ga_roles", None)

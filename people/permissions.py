"""Wagtail admin permission policies that add jurisdiction to Django model permissions."""

from wagtail.permission_policies import ModelPermissionPolicy

from .access import (
    can_see_org_unit,
    can_see_worker,
    jurisdiction_of,
    org_units_visible_to,
    sees_everything,
    workers_visible_to,
)


class WorkerPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and the worker must be inside the user's jurisdiction."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_see_worker(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and can_see_worker(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return workers_visible_to(user)


class OrgUnitPermissionPolicy(ModelPermissionPolicy):
    """Model permissions within the user's subtree; only superusers delete units."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return user.is_active and user.is_superuser
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_see_org_unit(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return org_units_visible_to(user)


class LoginLockPermissionPolicy(ModelPermissionPolicy):
    """Locks of workers inside the admin's jurisdiction; other accounts only for superusers."""

    def _in_reach(self, user, lock) -> bool:
        if sees_everything(user):
            return True
        worker = getattr(lock.user, "worker", None) if lock.user_id else None
        return worker is not None and can_see_worker(user, worker)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._in_reach(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._in_reach(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        if sees_everything(user):
            return self.model.objects.all()
        root = jurisdiction_of(user)
        if root is None:
            return self.model.objects.none()
        return self.model.objects.filter(user__worker__org_unit__path__startswith=root.path)

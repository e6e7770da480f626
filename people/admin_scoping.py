"""Admin viewsets whose every object view is limited to what the user may reach.

Wagtail's generic views check model permissions, and some (edit, delete) check the instance
through the permission policy, but not all of them do (inspect, history, usage, revisions).
This mixin checks the object once, in front of every view that addresses one, so a guessed id
outside the user's jurisdiction answers 404 everywhere in the admin.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.http import Http404

OBJECT_ACTIONS = ["view", "change", "delete", "publish", "lock", "unlock"]


class ScopedObjectViewSetMixin:
    def object_in_reach(self, user, obj) -> bool:
        return self.permission_policy.user_has_any_permission_for_instance(
            user, OBJECT_ACTIONS, obj
        )

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)
        viewset = self

        @wraps(view)
        def scoped_view(request, *args, **view_kwargs):
            pk = view_kwargs.get("pk")
            if pk is not None:
                try:
                    obj = viewset.model._default_manager.filter(pk=unquote(str(pk))).first()
                except (ValueError, TypeError):
                    obj = None
                if obj is None or not viewset.object_in_reach(request.user, obj):
                    raise Http404
            return view(request, *args, **view_kwargs)

        return scoped_view

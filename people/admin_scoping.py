"""Admin viewsets whose every object view is limited to what the user may reach.

Wagtail's generic views check model permissions, and some (edit, delete) check the instance
through the permission policy, but not all of them do (inspect, history, usage, revisions).
This mixin checks the object once, in front of every view that addresses one, so a guessed id
outside the user's jurisdiction answers 404 everywhere in the admin.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.http import Http404
from wagtail.snippets.views import chooser as snippet_chooser

OBJECT_ACTIONS = ["view", "change", "delete", "publish", "lock", "unlock"]


class ScopedObjectViewSetMixin:
    """Put in front of ``SnippetViewSet``: object views 404 outside the user's reach, and the
    chooser lists and returns only reachable objects."""

    chooser_viewset_class = None  # set below, once the chooser classes exist

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


class _ScopedLookupMixin:
    """Chooser lookups limited to the objects the user can reach (the model's policy)."""

    def scoped_queryset(self):
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(self.model_class)
        return policy.instances_user_has_any_permission_for(self.request.user, OBJECT_ACTIONS)


class ScopedChooseView(_ScopedLookupMixin, snippet_chooser.ChooseView):
    def get_object_list(self):
        return self.scoped_queryset()


class ScopedChooseResultsView(_ScopedLookupMixin, snippet_chooser.ChooseResultsView):
    def get_object_list(self):
        return self.scoped_queryset()


class ScopedChosenView(_ScopedLookupMixin, snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return self.scoped_queryset().get(pk=pk)


class ScopedChosenMultipleView(_ScopedLookupMixin, snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return self.scoped_queryset().filter(pk__in=pks)


class ScopedSnippetChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """The snippet chooser (listing, results, chosen) limited to the user's reach."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


ScopedObjectViewSetMixin.chooser_viewset_class = ScopedSnippetChooserViewSet

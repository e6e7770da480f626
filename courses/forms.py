from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.access import org_units_visible_to
from people.models import Post

from .models import CoursePage


class AssignForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=CoursePage.objects.none())
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=None)
    post = forms.ChoiceField(
        label=_("Only this post"), choices=[("", _("All posts")), *Post.choices], required=False
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("code")
        self.fields["org_unit"].queryset = org_units_visible_to(user).order_by("path")
        self.fields["org_unit"].label_from_instance = lambda u: "　" * (u.depth - 1) + u.name

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return value


class ManualAttendanceForm(forms.Form):
    learner = forms.ChoiceField(label=_("Learner"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why the learner could not scan, e.g. phone battery empty."),
    )

    def __init__(self, *args, learners, **kwargs):
        super().__init__(*args, **kwargs)
        self.learners = {str(u.pk): u for u in learners}
        self.fields["learner"].choices = [
            (str(u.pk), f"{u.get_full_name()}（{u.username}）") for u in learners
        ]

    def clean_learner(self):
        return self.learners[self.cleaned_data["learner"]]

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ScenarioType
from .services import DraftInput


class CaseDraftForm(forms.Form):
    """The 投稿 form: a few plain fields a grid worker can fill in on a phone."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("Name the method and say what it achieves, e.g. 「三步听诊」化解漏水纠纷."),
    )
    scenario_type = forms.ChoiceField(label=_("Scenario type"), choices=ScenarioType.choices)
    background = forms.CharField(
        label=_("Background and problem"),
        max_length=4000,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("What happened, who was involved, what the conflict was about."),
    )
    steps = forms.CharField(
        label=_("What you did, step by step"),
        max_length=4000,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("One step per line."),
    )
    outcome = forms.CharField(
        label=_("Outcome"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    lessons = forms.CharField(
        label=_("Lessons learned"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def clean_steps(self):
        steps = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        if not steps:
            raise forms.ValidationError(_("Write at least one step."))
        if len(steps) > 12:
            raise forms.ValidationError(_("Write at most 12 steps."))
        return steps

    def to_input(self) -> DraftInput:
        data = self.cleaned_data
        return DraftInput(
            title=data["title"],
            scenario_type=data["scenario_type"],
            background=data["background"],
            steps=data["steps"],
            outcome=data.get("outcome", ""),
            lessons=data.get("lessons", ""),
        )

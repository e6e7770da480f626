from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for the revocation.")},
    )


class ReviewForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=OrgUnit.objects.none())
    review_date = forms.DateField(
        label=_("Review date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units if units is not None else OrgUnit.objects.none()


class DecideForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Workers"))
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(i, i) for i in item_ids]
        self.fields["items"].error_messages["required"] = _("Select at least one pending worker.")

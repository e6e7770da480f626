import datetime as dt

from django import forms
from django.utils import timezone
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

    def clean_review_date(self):
        value = self.cleaned_data["review_date"]
        today = timezone.localdate()
        if abs((value - today).days) > 5 * 366:
            raise forms.ValidationError(_("Pick a review date within five years of today."))
        return value


class ValidOnForm(forms.Form):
    on = forms.DateField(label=_("Was it valid on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_on(self):
        value = self.cleaned_data["on"]
        if not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return value


class DecideForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Workers"))
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(i, i) for i in item_ids]
        self.fields["items"].error_messages["required"] = _("Select at least one pending worker.")

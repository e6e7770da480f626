from django import forms
from django.utils.translation import gettext_lazy as _

from people.access import org_units_visible_to


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which system uses it, e.g. 区人社局人事系统."),
    )
    org_unit = forms.ModelChoiceField(
        label=_("Org subtree"),
        queryset=None,
        help_text=_("The token sees the workers of this unit and every unit below it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_units_visible_to(user)
        self.fields["org_unit"].label_from_instance = lambda u: f"{'—' * (u.depth - 1)} {u.name}"

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .access import org_units_visible_to
from .models import ORG_LEVEL_DEPTH, OrgUnit


class OrgUnitForm(WagtailAdminModelForm):
    """Create a unit under a parent inside the editor's jurisdiction; the level must fit."""

    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Leave empty only for a city (the root)."),
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "code", "level"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self.instance.pk:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = org_units_visible_to(for_user).order_by("path")
            self.fields["parent"].label_from_instance = lambda u: "— " * (u.depth - 1) + u.name

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if self.instance.pk:
            parent_depth = self.instance.depth - 1
        else:
            parent = data.get("parent")
            parent_depth = parent.depth if parent else 0
            if parent is None and not (self.for_user and self.for_user.is_superuser):
                raise ValidationError({"parent": _("Choose the unit this one belongs to.")})
        if level and ORG_LEVEL_DEPTH[level] != parent_depth + 1:
            raise ValidationError(
                {"level": _("This level does not fit under the chosen parent unit.")}
            )
        return data

    def save(self, commit=True):
        instance = super().save(commit=False)
        if instance.pk:
            instance.save()
            return instance
        parent = self.cleaned_data.get("parent")
        if parent:
            return parent.add_child(instance=instance)
        return OrgUnit.add_root(instance=instance)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.csv or .xlsx)"),
        help_text=_("At most 5 MB. Use the template; the first row holds the column names."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Only .csv and .xlsx files can be imported."))
        return upload

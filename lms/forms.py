from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from people.lockout import refusal
from people.ratelimit import client_ip


class LockoutCheckMixin:
    """Say clearly when an account or address is locked, before checking the password."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            message = refusal(username, client_ip(self.request))
            if message:
                raise ValidationError(message, code="locked")
        return super().clean()


class LoginForm(LockoutCheckMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username/mobile number or the password is wrong. Both are case-sensitive."
        ),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or mobile number")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class AdminLoginForm(LockoutCheckMixin, WagtailLoginForm):
    """The Wagtail admin's login form with the same lockout rules as the site's."""

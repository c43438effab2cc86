from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The login's second step: a 6-digit code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "autofocus": True, "inputmode": "text",
            "autocapitalize": "off", "spellcheck": "false",
        }),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("Enter the 6-digit code the app shows for this account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class UsernameForm(forms.Form):
    username = forms.CharField(max_length=150)

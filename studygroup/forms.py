from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. After %(limit)s failed attempts the account is locked "
            "for %(minutes)s minutes."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )


def apply_validation_error(form, error: ValidationError):
    """Put a service's ValidationError on the form, on the field at fault where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-11-23) whatever the language, or
    a date input shows empty and the user has to type the date again."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")



class ConfirmForm(forms.Form):
    """A confirmation: the POST itself is the decision. Given ``note_field`` (its name: "comment",
    "reason"), it also asks for a note, optional unless ``note_required``."""

    def __init__(self, *args, note_field: str | None = None, note_label=None, note_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.note_field = note_field
        if note_field:
            self.fields[note_field] = forms.CharField(
                label=note_label or _("Comment"), required=note_required, widget=forms.Textarea(attrs={"rows": 3}),
            )

    @property
    def note(self) -> str:
        """The note as entered (cleaned), or "" where the form asks for none."""
        return self.cleaned_data.get(self.note_field, "") if self.note_field else ""

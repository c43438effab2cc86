"""Password rules for 等保 2.0: at least three kinds of character."""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = {
    "upper": lambda c: c.isascii() and c.isupper(),
    "lower": lambda c: c.isascii() and c.islower(),
    "digit": lambda c: c.isdigit(),
    "symbol": lambda c: c in string.punctuation or (not c.isalnum() and not c.isspace()),
}


class CharacterClassValidator:
    """At least ``min_classes`` of upper-case letters, lower-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for test in CHARACTER_CLASSES.values() if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(
                ngettext(
                    "The password must contain at least %(count)d kind of character out of "
                    "upper-case letters, lower-case letters, digits and symbols.",
                    "The password must contain at least %(count)d kinds of character out of "
                    "upper-case letters, lower-case letters, digits and symbols.",
                    self.min_classes,
                )
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Use at least %(count)d of: upper-case letters, lower-case letters, digits, symbols."
        ) % {"count": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own: Django 5.2 changed its wording and its Chinese
    translation has not caught up, so the message showed in English."""

    def get_error_message(self):
        return ngettext(
            "The password is too short: it must have at least %(count)d character.",
            "The password is too short: it must have at least %(count)d characters.",
            self.min_length,
        ) % {"count": self.min_length}

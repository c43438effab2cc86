"""Numbers people send in query strings and forms, read so that nothing they type breaks a page.

``int("99999999999999999999")`` is a fine Python int, but no database column holds it (SQLite
raises OverflowError, PostgreSQL an out-of-range error) and ``date(99999, 1, 1)`` raises too. So
every year, month, id and page number read from a request goes through these, or through the
bounded form and filter fields below, which refuse what is out of range with a Chinese message.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The largest id (and integer) the database holds: a signed 64-bit integer.
ID_MAX = 2**63 - 1
#: Years the application deals in: plans, meetings and reports since the 2000s, a few ahead.
YEAR_MIN, YEAR_MAX = 2000, 2100


def int_param(value, default=None, *, minimum: int | None = None, maximum: int | None = None):
    """``value`` as an int, or ``default`` when it is missing, not a whole number, or outside
    ``minimum``…``maximum``. Never raises."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    if minimum is not None and number < minimum or maximum is not None and number > maximum:
        return default
    return number


def year_param(value, default=None):
    return int_param(value, default, minimum=YEAR_MIN, maximum=YEAR_MAX)


def id_param(value, default=None):
    """A database id (1…2⁶³−1) or ``default``."""
    return int_param(value, default, minimum=1, maximum=ID_MAX)


def _valid_ids(values) -> bool:
    return all(id_param(value) is not None for value in values if value not in (None, ""))


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose posted id is checked to be one the database can hold before it
    is looked up: 99999999999999999999 is "not one of the choices", not a server error."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and not _valid_ids([value]):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for several ids (``pk__in`` is not guarded by Django's overflow checks)."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if not _valid_ids([pk]):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


class YearFilter(django_filters.NumberFilter):
    """A year in a list's filters: a whole number from 2000 to 2100, else the filter form says so
    (in Chinese) and the list shows nothing, instead of ``date(99999, 1, 1)`` raising."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(*args, **kwargs)

"""The quick select writes the same HTML as Django's own select, in one pass."""

from django import forms
from django.test.html import parse_html

from studygroup.widgets import QuickSelect

CHOICES = [("", "---------"), (1, "中共青山县委<b>"), (2, "教育局 & 党组"), ("县直", [(3, "县委办"), (4, "县政府办")])]


def _pair(value):
    class Form(forms.Form):
        quick = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False, widget=QuickSelect)
        plain = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False)

    form = Form(data={"quick": value, "plain": value})
    return str(form["quick"]).replace("quick", "plain"), str(form["plain"])


def test_options_groups_escaping_and_the_chosen_one_are_as_djangos():
    for value in ("", "2", "4", "99"):
        quick, plain = _pair(value)
        assert parse_html(quick) == parse_html(plain)
    quick, _plain = _pair("4")
    assert '<option value="4" selected>县政府办</option>' in quick
    assert "中共青山县委&lt;b&gt;" in quick
    assert "<b>" not in quick

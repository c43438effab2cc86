from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import (
    Bulletin,
    HalfYearReview,
    Inspection,
    Period,
    RectificationItem,
    StudyAccount,
)
from studygroup.forms import DatePicker
from studygroup.uploads import UploadField


def _year_field():
    return forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)


class ReviewCreateForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Study group"), queryset=None)
    year = _year_field()
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class ReviewForm(forms.ModelForm):
    class Meta:
        model = HalfYearReview
        fields = ["title", "good_practices", "problems", "next_plan"]
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in ["good_practices", "problems", "next_plan"]}


class BulletinCreateForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Issuing organization"), queryset=None)
    year = _year_field()
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class BulletinIssueForm(forms.Form):
    """The document number given on issuing: 机关代字〔year〕序号号."""

    document_code = forms.CharField(label=_("Organ code (机关代字)"), max_length=20, help_text=_("e.g. 青宣"))
    document_serial = forms.IntegerField(
        label=_("Serial number of the year"), min_value=1, max_value=9999,
        help_text=_("The document number reads 青宣〔2026〕3号: code, this year, serial number."),
    )


class BulletinForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["number", "issuing_organ", "addressees", "title", "introduction", "good_practices", "common_problems", "observation_findings", "requirements"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 6})
            for name in ["introduction", "good_practices", "common_problems", "observation_findings", "requirements"]
        }


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["organization", "group", "held_on", "inspectors", "scope", "findings", "follow_up_on"]
        widgets = {
            "held_on": DatePicker(),
            "follow_up_on": DatePicker(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, organizations, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["group"].queryset = groups


class InspectionUpdateForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["held_on", "inspectors", "scope", "findings", "follow_up_on", "follow_up_notes"]
        widgets = {
            "held_on": DatePicker(),
            "follow_up_on": DatePicker(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 5}),
            "follow_up_notes": forms.Textarea(attrs={"rows": 4}),
        }


class ItemForm(forms.ModelForm):
    class Meta:
        model = RectificationItem
        fields = ["finding", "measures", "owner", "deadline"]
        widgets = {
            "finding": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "deadline": DatePicker(),
        }

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class PointItemForm(ItemForm):
    class Meta(ItemForm.Meta):
        fields = ["measures", "owner", "deadline"]


class ItemActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = UploadField(upload="evidence", label=_("Evidence file"), required=False)


class AccountCreateForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Study group"), queryset=None)
    year = _year_field()

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class AccountForm(forms.ModelForm):
    class Meta:
        model = StudyAccount
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 16})}


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    period = forms.ChoiceField(label=_("Period"), choices=[("", "—")] + list(Period.choices), required=False)

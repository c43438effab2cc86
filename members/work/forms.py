from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import StudyGroup
from members.work.models import MemberWork, OnlinePlatform, ResearchTopic, WorkKind
from studygroup.forms import DatePicker
from studygroup.uploads import UploadField

DATE = DatePicker()

KIND_FIELDS = {
    WorkKind.SELF_STUDY_PLAN: ["group", "year", "title", "topics", "body"],
    WorkKind.NOTE: ["group", "meeting", "topic", "title", "body"],
    WorkKind.REFLECTION: ["group", "meeting", "topic", "title", "body", "attachment"],
    WorkKind.RESEARCH: [
        "group", "research_topic", "new_research_topic", "half", "title", "body", "attachment",
        "adopted", "adoption_note",
    ],
    WorkKind.ARTICLE: ["group", "title", "outlet", "level", "occurred_on", "url", "attachment", "body"],
    WorkKind.LECTURE: [
        "group", "lecture_kind", "title", "occurred_on", "place", "audience", "audience_size", "topic", "body",
    ],
}

BODY_LABELS = {
    WorkKind.SELF_STUDY_PLAN: _("What I will read and research"),
    WorkKind.NOTE: pgettext_lazy("study notes", "Notes"),
    WorkKind.REFLECTION: _("Reflection"),
    WorkKind.RESEARCH: pgettext_lazy("research report text", "Report"),
    WorkKind.ARTICLE: _("Abstract or full text (optional)"),
    WorkKind.LECTURE: _("Outline (optional)"),
}
DATE_LABELS = {
    WorkKind.ARTICLE: _("Published on"),
    WorkKind.LECTURE: _("Given on"),
}


class WorkForm(forms.ModelForm):
    """One form for the five kinds: ``kind`` decides which fields it shows."""

    group = forms.ModelChoiceField(label=_("Study group"), queryset=StudyGroup.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    new_research_topic = forms.CharField(
        label=_("…or a new research topic"), max_length=200, required=False,
        help_text=_("Several members may share one research topic."),
    )
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    attachment = UploadField(upload="work_attachment", label=_("File"), required=False)
    half = forms.TypedChoiceField(
        label=_("Half year of the new topic"), choices=ResearchTopic.Half.choices, coerce=int,
        required=False, initial=ResearchTopic.Half.FIRST,
    )

    class Meta:
        model = MemberWork
        fields = [
            "title", "body", "occurred_on", "meeting", "topic", "topics", "attachment", "research_topic",
            "adopted", "adoption_note", "outlet", "level", "lecture_kind", "place", "audience",
            "audience_size",
        ]
        widgets = {
            "occurred_on": DATE,
            "body": forms.Textarea(attrs={"rows": 14}),
            "adoption_note": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, kind, groups, meetings, topics, research_topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.order_fields(wanted)
        self.fields["group"].queryset = groups
        if self.instance.pk:
            self.fields["group"].disabled = True
            self.fields["group"].initial = self.instance.group_id
        elif groups.count() == 1:
            self.fields["group"].initial = groups.first().pk
        if "year" in self.fields:
            self.fields["year"].initial = self.instance.year or timezone.localdate().year
        if "meeting" in self.fields:
            self.fields["meeting"].queryset = meetings
            self.fields["meeting"].label_from_instance = lambda m: (
                f"{date_format(timezone.localtime(m.starts_at), 'DATE_FORMAT')} {m.title}"
            )
        for name in ("topic", "topics"):
            if name in self.fields:
                self.fields[name].queryset = topics
                self.fields[name].label_from_instance = lambda t: f"{t.plan.year} {t}"
        if "research_topic" in self.fields:
            self.fields["research_topic"].queryset = research_topics
            self.fields["research_topic"].required = False
        if "body" in self.fields:
            self.fields["body"].label = BODY_LABELS[kind]
            self.fields["body"].help_text = _(
                "Plain text: one paragraph a line. Formatted text pasted from Word is cleaned."
            )
        if "occurred_on" in self.fields:
            self.fields["occurred_on"].label = DATE_LABELS.get(kind, _("Date"))
            self.fields["occurred_on"].required = True
        if kind == WorkKind.ARTICLE:
            self.fields["level"].required = True
            self.fields["outlet"].required = True
        if kind == WorkKind.LECTURE:
            self.fields["lecture_kind"].required = True
            self.fields["place"].required = True

    def clean(self):
        data = super().clean()
        if self.kind == WorkKind.RESEARCH and not data.get("research_topic") and not data.get("new_research_topic"):
            self.add_error("research_topic", _("Choose a research topic or name a new one."))
        group = data.get("group") or (self.instance.group if self.instance.pk else None)
        meeting = data.get("meeting")
        if group and meeting and meeting.group_id != group.pk:
            self.add_error("meeting", _("Choose a meeting of the same study group."))
        return data

    def _post_clean(self):
        # The service validates the model (with group, author and the derived fields).
        pass

    def service_fields(self) -> dict:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        for name in ("group", "new_research_topic", "half", "year", "topics"):
            data.pop(name, None)
        if data.get("attachment") is False:  # "clear" ticked
            data["attachment"] = ""
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning: say what to change."),
    )


class FieldVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=150)
    met_whom = forms.CharField(label=_("Whom you met"), max_length=200, required=False)
    notes = forms.CharField(label=pgettext_lazy("remarks", "Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class OnlineStudyImportForm(forms.Form):
    """A platform's export for one month; the columns only when the file's headers are unusual
    (what was used is remembered for the organisation's next import of that platform)."""

    platform = forms.ChoiceField(label=_("Platform"), choices=OnlinePlatform.choices)
    period = forms.CharField(
        label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("The month the points or hours are for, such as 2026-11."),
    )
    file = UploadField(upload="online_study_import", label=_("The platform's export (Excel or CSV)"))
    name_header = forms.CharField(label=_("Name column"), required=False, max_length=50)
    phone_header = forms.CharField(label=_("Phone column"), required=False, max_length=50)
    account_header = forms.CharField(label=_("Account column"), required=False, max_length=50)
    value_header = forms.CharField(label=_("Points or hours column"), required=False, max_length=50)

    def clean_period(self):
        import re
        from datetime import date

        value = self.cleaned_data["period"].strip()
        match = re.fullmatch(r"(\d{4})[-年./](\d{1,2})月?", value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Give the month as 2026-11."))
        period = date(int(match.group(1)), int(match.group(2)), 1)
        if period > timezone.localdate():
            raise forms.ValidationError(_("The month has not begun yet."))
        if period.year < 2000:
            raise forms.ValidationError(_("Give the month as 2026-11."))
        return period

    def columns(self) -> dict:
        data = self.cleaned_data
        return {key: data[f"{key}_header"].strip() for key in ("name", "phone", "account", "value") if data.get(f"{key}_header", "").strip()}

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import StudyGroup
from members.work.models import Difficulty, MemberWork, OnlinePlatform, QuestionKind, ResearchTopic, WorkKind
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
        from members.work.online import parse_month

        period = parse_month(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Give the month as 2026-11."))
        if period > timezone.localdate():
            raise forms.ValidationError(_("The month has not begun yet."))
        return period

    def columns(self) -> dict:
        data = self.cleaned_data
        return {key: data[f"{key}_header"].strip() for key in ("name", "phone", "account", "value") if data.get(f"{key}_header", "").strip()}


# --- theory tests (考学) --------------------------------------------------------------------------


class QuestionImportForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Question bank of"), queryset=None)
    file = UploadField(upload="question_import", label=_("Questions (Word, text or the Excel template)"))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        first = organizations.first() if organizations is not None else None
        if first is not None and not self.is_bound:
            self.initial.setdefault("organization", first.pk)


DRAW_RULES = 4


class TheoryTestForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Set by"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    groups = forms.ModelMultipleChoiceField(label=_("For the members of"), queryset=None, widget=forms.CheckboxSelectMultiple)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1, max_value=600, initial=30)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), min_value=1, max_value=10, initial=1)
    pass_score = forms.DecimalField(label=_("Pass mark (of 100)"), min_value=0, max_value=100, initial=60, decimal_places=1)
    shuffle = forms.BooleanField(label=_("Shuffle questions and options for each member"), required=False, initial=True)
    one_per_screen = forms.BooleanField(label=_("One question a screen (else all on one page)"), required=False, initial=True)
    paper_mode = forms.ChoiceField(label=_("Paper"), choices=[
        ("fixed", _("Fixed questions (imported or chosen from the bank)")),
        ("random", _("Drawn at random for each member, by the rules below")),
    ], widget=forms.RadioSelect, initial="fixed")

    def __init__(self, *args, organizations=None, groups=None, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["groups"].queryset = groups
        self.topics = topics
        for n in range(DRAW_RULES):
            if topics is not None:
                self.fields[f"rule_{n}_topic"] = forms.ModelChoiceField(
                    label=_("Plan topic"), required=False, queryset=topics, empty_label=_("Any"))
            self.fields[f"rule_{n}_kind"] = forms.ChoiceField(
                label=_("Type"), required=False, choices=[("", "—"), *QuestionKind.choices])
            self.fields[f"rule_{n}_difficulty"] = forms.TypedChoiceField(
                label=_("Difficulty"), required=False, coerce=int, empty_value=None,
                choices=[("", _("Any")), *Difficulty.choices])
            self.fields[f"rule_{n}_count"] = forms.IntegerField(label=_("How many"), required=False, min_value=1, max_value=200)
            self.fields[f"rule_{n}_points"] = forms.DecimalField(label=_("Points each"), required=False, min_value=0, max_value=100, decimal_places=1)

    def rule_rows(self):
        parts = ("kind", "difficulty", "topic", "count", "points") if self.topics is not None else ("kind", "difficulty", "count", "points")
        return [[self[f"rule_{n}_{part}"] for part in parts] for n in range(DRAW_RULES)]

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The test must close after it opens."))
        rules = []
        for n in range(DRAW_RULES):
            kind, count = data.get(f"rule_{n}_kind"), data.get(f"rule_{n}_count")
            if kind and not count:
                self.add_error(f"rule_{n}_count", _("Say how many to draw."))
            elif count and not kind:
                self.add_error(f"rule_{n}_kind", _("Choose the type to draw."))
            elif kind:
                points = data.get(f"rule_{n}_points")
                topic = data.get(f"rule_{n}_topic")
                rules.append({"kind": kind, "difficulty": data.get(f"rule_{n}_difficulty"), "topic": topic.pk if topic else None,
                              "count": count, "points": str(points) if points is not None else None})
        if data.get("paper_mode") == "random" and not rules:
            self.add_error(None, _("A random paper needs at least one rule: the type and how many."))
        data["draw_rules"] = rules
        return data

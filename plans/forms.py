"""Forms of the plans app. Choices of related objects are built once per page from lists the
view passes in, so a formset of seventeen topics costs no more queries than one of one."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import MONTHS, AnnualPlan, StudyForm
from studygroup.forms import DatePicker
from studygroup.uploads import UploadField


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects already fetched: no query per form."""

    def __init__(self, *, objects=(), label_of=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        kwargs.setdefault("choices", [("", "---------")] + [(str(o.pk), label_of(o)) for o in objects])
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(str(value)) if value not in (None, "") else None

    def prepare_value(self, value):
        return str(getattr(value, "pk", value) or "")


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *, objects=(), label_of=str, **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        kwargs.setdefault("choices", [(str(o.pk), label_of(o)) for o in objects])
        super().__init__(**kwargs)

    def clean(self, value):
        return [self.objects[str(v)] for v in super().clean(value)]

    def prepare_value(self, value):
        return [str(getattr(v, "pk", v)) for v in (value or [])]


def person_label(person):
    return f"{person.name}（{person.position}）" if person.position else str(person)


class PlanForm(forms.ModelForm):
    """The plan's own fields. ``groups`` (create only) are the groups the user manages."""

    group = ObjectChoiceField(label=_("Study group"), required=True)

    class Meta:
        model = AnnualPlan
        fields = [
            "group", "year", "title", "numbering_style", "preamble", "meetings_per_year", "discussions_per_year",
            "articles_per_member", "research_topics_per_half",
        ]
        widgets = {
            "preamble": forms.Textarea(attrs={"rows": 4}),
            "title": forms.TextInput(attrs={"placeholder": _("e.g. 2026 annual theory study plan of the county committee's study center group")}),
        }

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is None:  # editing: group and year are fixed
            del self.fields["group"]
            del self.fields["year"]
        else:
            self.fields["group"] = ObjectChoiceField(label=_("Study group"), objects=groups, required=True)
            self.fields["year"].initial = self.fields["year"].initial or timezone.localdate().year
        for name in ("meetings_per_year", "discussions_per_year", "articles_per_member", "research_topics_per_half"):
            self.fields[name].widget.attrs.update({"min": 0, "class": "quota-input"})

    def clean(self):
        data = super().clean()
        meetings, discussions = data.get("meetings_per_year"), data.get("discussions_per_year")
        if meetings is not None and discussions is not None and discussions > meetings:
            self.add_error(
                "discussions_per_year",
                _("Thematic discussions are meetings too: at most %(n)s.") % {"n": meetings},
            )
        return data

    def _post_clean(self):
        # The group is not a model field on unbound create instances yet: set it before
        # the model's own validation runs.
        group = self.cleaned_data.get("group")
        if group is not None:
            self.instance.group = group
        super()._post_clean()

    def plan_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("group", "year")}


class RowForm(forms.Form):
    """A formset row: moving or marking it does not count as typing into it, so a row added
    and left blank is skipped rather than reported."""

    def has_changed(self):
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class SectionForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    heading = forms.CharField(label=_("Heading"), max_length=100)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    holds_topics = forms.BooleanField(label=_("The topics follow this section"), required=False)


class TopicForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(
        label=_("Number"), max_length=20, required=False,
        help_text=_("Kept with numbering “as written”."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    readings = forms.CharField(
        label=_("Readings"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Texts to read first, one a line."),
    )
    study_form = forms.ChoiceField(label=_("Study form"), choices=StudyForm.choices, initial=StudyForm.GROUP_STUDY)
    months = forms.TypedMultipleChoiceField(
        label=_("Planned months"), choices=MONTHS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["lead_members"] = ObjectMultipleChoiceField(
                label=_("Lead members"), objects=people, label_of=person_label, required=False,
                widget=forms.SelectMultiple(attrs={"size": 4}),
            )


class BaseTopicFormSet(forms.BaseFormSet):
    def clean(self):
        titles = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if self._should_delete_form(form):
                continue
            title = (data.get("title") or "").strip()
            if not title:
                continue
            if title in titles:
                form.add_error("title", _("This topic is already in the plan."))
            titles[title] = form


# absolute_max = max_num: a posted TOTAL_FORMS of 99999999999999999999 makes at most that many
# forms and an error, not a thousand more forms to build and render (Django's default).
SectionFormSet = forms.formset_factory(
    SectionForm, extra=0, can_order=True, can_delete=True, max_num=60, absolute_max=60, validate_max=True
)
TopicFormSet = forms.formset_factory(
    TopicForm, formset=BaseTopicFormSet, extra=0, can_order=True, can_delete=True, max_num=99, absolute_max=99,
    validate_max=True,
)


class ScheduleEntryForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int)
    study_form = forms.ChoiceField(label=_("Study form"), choices=StudyForm.choices)
    speaker = forms.CharField(label=_("Guest speaker"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, topics=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"] = ObjectChoiceField(label=_("Topic"), objects=topics, required=True)
        self.fields["lead"] = ObjectChoiceField(label=_("Lead speaker"), objects=people, label_of=person_label,
                                                required=False)
        self.order_fields(["id", "month", "topic", "study_form", "lead", "speaker", "note"])


ScheduleFormSet = forms.formset_factory(
    ScheduleEntryForm, extra=0, can_delete=True, max_num=400, absolute_max=400, validate_max=True
)


class PlanImportForm(forms.Form):
    group = ObjectChoiceField(label=_("Study group"))
    file = UploadField(upload="plan_import", label=_("Plan document"), required=False)
    text = forms.CharField(
        label=_("Or paste the text"), required=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": _("Paste the whole plan here, title first.")}),
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"] = ObjectChoiceField(label=_("Study group"), objects=groups)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("file") and not (data.get("text") or "").strip():
            self.add_error("file", _("Upload the plan or paste its text."))
        return data

    def parse(self):
        """The parsed plan as a dict, or a form error on the field at fault."""
        from plans.importer import PlanImportError, parse_plan_file, parse_plan_text

        upload = self.cleaned_data.get("file")
        try:
            if upload is not None:
                parsed = parse_plan_file(upload.name, upload.read())
            else:
                parsed = parse_plan_text(self.cleaned_data["text"])
        except PlanImportError:
            self.add_error("file", _("This file could not be read as a plan. Is it a Word (.docx) or text file?"))
            return None
        if not parsed.topics and not parsed.sections:
            self.add_error("file" if upload else "text", _("No sections or topics were found in this document."))
            return None
        return parsed.to_dict()


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, required=False, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = required
        if label:
            self.fields["comment"].label = label


class PlanCopyForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the new plan"), min_value=2000, max_value=2100)


class CascadeForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int)
    note = forms.CharField(label=_("Note to the groups below"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"] = ObjectChoiceField(label=_("Topic"), objects=topics)
        self.order_fields(["topic", "month", "note"])


class CascadeAdoptForm(forms.Form):
    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"] = ObjectChoiceField(label=_("Into the plan of"), objects=groups)


class ProposalCallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Deadline"), widget=DatePicker())
    description = forms.CharField(label=_("What to propose"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"] = ObjectChoiceField(label=_("Study group"), objects=groups)
        self.order_fields(["group", "year", "title", "deadline", "description"])
        self.fields["year"].initial = timezone.localdate().year + 1

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError(_("The deadline cannot be in the past."))
        return deadline


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Proposed topic"), max_length=300)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why the group should study this, and what it would help with."))
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        if units:
            self.fields["on_behalf_of"] = ObjectChoiceField(
                label=_("On behalf of the unit"), objects=units, required=False,
                help_text=_("Leave empty to propose in your own name."),
            )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer sees this."),
    )

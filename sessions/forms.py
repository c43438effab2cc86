from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import User
from sessions.models import Attendance, FirstAgendaStudy, Meeting, Observation, Speech
from studygroup.forms import DatePicker, DateTimePicker
from studygroup.params import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from studygroup.uploads import UploadField

DATE = DatePicker()
DATETIME = DateTimePicker()


class PersonChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.position}）" if obj.position else obj.name


class PeopleChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.position}）" if obj.position else obj.name


class TopicChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.year} · {obj}"


class GroupChoiceForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Study group"), queryset=None)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    host = PersonChoiceField(label=_("Host"), queryset=User.objects.none(), required=False)
    topics = TopicChoiceField(
        label=_("Plan topics"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The topics of the annual plan this meeting studies."),
    )
    lead_speakers = PeopleChoiceField(
        label=_("Lead speakers"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Who leads the study or gives a keynote speech."),
    )

    class Meta:
        model = Meeting
        fields = [
            "title", "kind", "starts_at", "ends_at", "venue", "host", "topics", "outside_plan",
            "outside_plan_reason", "lead_speakers", "expert_name", "expert_title", "expert_affiliation",
            "session_plan",
        ]
        widgets = {
            "outside_plan_reason": forms.Textarea(attrs={"rows": 2}),
            "session_plan": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, group, topics, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["topics"].queryset = topics
        self.fields["host"].queryset = people
        self.fields["lead_speakers"].queryset = people

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data

    def _post_clean(self):
        # The service validates the whole meeting (group, topics, members); skip the model's
        # own full_clean here, which would run without the group.
        pass


class NoticeForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the members"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: anything the members should know besides the time, venue, topics and materials."),
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for leave"), max_length=200)


class MakeupForm(forms.Form):
    content = forms.CharField(
        label=_("What I studied"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The materials you read and what you took from them."),
    )
    studied_on = forms.DateField(label=_("Studied on"), widget=DATE, initial=timezone.localdate)


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}))


class SpeechForm(forms.ModelForm):
    speaker = PersonChoiceField(label=_("Speaker"), queryset=User.objects.none())

    class Meta:
        model = Speech
        fields = ["speaker", "kind", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = people

    def _post_clean(self):
        pass


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Headline"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    published_on = forms.DateField(label=_("Published on"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("link"):
            raise forms.ValidationError(_("A report needs its text or a link."))
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty to use the file name."))
    file = UploadField(upload="material", label=_("File"), required=False)
    url = forms.URLField(label=_("Or a link"), max_length=500, required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if "file" not in self.errors and bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError(_("Upload a file or give a link, not both."))
        if data.get("url") and not data.get("title"):
            self.add_error("title", _("Give a title for the link."))
        return data


class AttendanceSheetForm(forms.Form):
    """One radio group and one reason field per member; built from the sheet rows."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        choices = Attendance.Status.choices
        for row in rows:
            current = row.attendance
            self.fields[f"status_{row.user.pk}"] = forms.ChoiceField(
                label=row.user.name, choices=choices, required=False, widget=forms.RadioSelect,
                initial=current.status if current else None,
            )
            self.fields[f"reason_{row.user.pk}"] = forms.CharField(
                label=_("Reason for leave"), max_length=200, required=False,
                initial=current.leave_reason if current else "",
            )

    def entries(self) -> dict[int, tuple[str, str]]:
        result = {}
        for row in self.rows:
            status = self.cleaned_data.get(f"status_{row.user.pk}")
            if status:
                result[row.user.pk] = (status, self.cleaned_data.get(f"reason_{row.user.pk}", ""))
        return result

    def bound_rows(self):
        for row in self.rows:
            yield row, self[f"status_{row.user.pk}"], self[f"reason_{row.user.pk}"]


class FirstAgendaForm(forms.ModelForm):
    class Meta:
        model = FirstAgendaStudy
        fields = ["organization", "held_on", "meeting_name", "studied", "source", "source_date", "led_by", "notes"]
        widgets = {"held_on": DATE, "source_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if self.instance.pk:
            self.fields["organization"].disabled = True

    def _post_clean(self):
        pass


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner"), max_length=100)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class MeasureUpdateForm(MeasureForm):
    done = forms.BooleanField(label=_("Done"), required=False)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    done_note = forms.CharField(label=_("How it was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ObservationForm(forms.ModelForm):
    points = forms.CharField(
        label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line; the visited group answers each."),
    )

    class Meta:
        model = Observation
        fields = ["organization", "observers", "score", "grade", "comments", "rectification"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 4}), "rectification": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["score"].widget.attrs.update({"min": 0, "max": 100})

    def clean_score(self):
        score = self.cleaned_data.get("score")
        if score is not None and not 0 <= score <= 100:
            raise forms.ValidationError(_("A score is between 0 and 100."))
        return score

    def _post_clean(self):
        pass


class PointForm(forms.Form):
    text = forms.CharField(label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What was changed, or will be, and by when."))

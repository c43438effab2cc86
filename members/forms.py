from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User
from studygroup.forms import DatePicker
from studygroup.uploads import UploadField


class PersonCreateForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )

    class Meta:
        model = User
        fields = ["username", "name", "organization", "position", "phone", "email"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].required = True
        self.fields["name"].required = True

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords do not match."), code="password_mismatch")
        return second

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)


class PersonUpdateForm(forms.ModelForm):
    """Account data only. ``is_active`` is not here: leaving a checkbox out of a POST must never
    deactivate anyone (deactivation is its own confirmed action)."""

    class Meta:
        model = User
        fields = ["name", "organization", "position", "phone", "email"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].required = True
        self.fields["name"].required = True


class MembershipStartForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    started_on = forms.DateField(
        label=_("Started on"),
        initial=timezone.localdate,
        widget=DatePicker(),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda person: (
            f"{person.name}（{person.position or person.username}）"
        )


class MembershipEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Ended on"),
        initial=timezone.localdate,
        widget=DatePicker(),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.membership.started_on:
            raise forms.ValidationError(_("The end date cannot be before the start date."))
        return ended_on


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization):
        return "　" * (obj.depth - 1) + obj.name


class AssignmentGrantForm(forms.Form):
    organization = OrganizationChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=OrganizationAssignment.Role.choices)
    started_on = forms.DateField(label=_("Started on"), initial=timezone.localdate, widget=DatePicker())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class AssignmentEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), initial=timezone.localdate, widget=DatePicker())

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.assignment.started_on:
            raise forms.ValidationError(_("The end date cannot be before the start date."))
        return ended_on


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "short_name", "kind", "level"]


class StudyGroupForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = ["name", "is_active"]


class RosterImportForm(forms.Form):
    file = UploadField(upload="roster_import", label=_("Roster file (Excel or CSV)"))
    end_missing = forms.BooleanField(
        label=_("End the seats of the listed groups' members whom the file does not list"), required=False,
        help_text=_("Leave unticked to only add and update. Nobody is deleted either way."),
    )


class AccountActivationForm(SetPasswordForm):
    """The first password, chosen through the activation link (the password rules apply)."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.notifications.models import (
    GroupChannel,
    NotificationChannel,
    NotificationKind,
    default_robot_kinds,
)
from members.notifications.services import PERSONAL_CHANNELS, PREFERENCE_KINDS


class NotificationFilterForm(forms.Form):
    STATE_CHOICES = [("", _("All")), ("unread", _("Unread")), ("read", _("Read"))]

    state = forms.ChoiceField(label=_("Show"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds"))] + list(NotificationKind.choices), required=False
    )


class PreferencesForm(forms.Form):
    """One checkbox per kind and personal channel: push it to me, or inbox only."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind in PREFERENCE_KINDS:
            cells = []
            for channel in PERSONAL_CHANNELS:
                name = f"{kind.value}__{channel.value}"
                self.fields[name] = forms.BooleanField(
                    label=f"{kind.label} · {channel.label}", required=False,
                    initial=current.get((kind.value, channel.value), True),
                )
                cells.append(name)
            self.rows.append((kind, cells))

    @property
    def channels(self):
        return PERSONAL_CHANNELS

    def choices(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            kind, channel = name.split("__")
            result[(kind, channel)] = bool(value)
        return result

    def table(self):
        return [(kind, [self[name] for name in cells]) for kind, cells in self.rows]


class GroupChannelForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=_("webhook address"), max_length=500, assume_scheme="https",
        # What the addresses look like (no words to translate but the robots' names).
        help_text=format_lazy(
            "{}: https://oapi.dingtalk.com/robot/send?access_token=… · "
            "{}: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… {}",
            NotificationChannel.DINGTALK.label, NotificationChannel.WECOM.label,
            _("Other hosts only when the security administrator has put them on the robot host list."),
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=_("What is posted"), choices=NotificationKind.choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = GroupChannel
        fields = ["provider", "name", "webhook_url", "secret", "kinds", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [
            (k.value, k.label) for k in NotificationKind if k not in (NotificationKind.TEST,)
        ]
        if self.instance.pk is None:
            # A new robot posts what the README promises by default (a ModelForm leaves a new
            # instance's defaults out of its initial data).
            self.initial.setdefault("kinds", default_robot_kinds())
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].help_text = _("A secret is stored; leave empty to keep it.")
        if self.is_bound:
            # Shown again after an error is what the person just typed (never the stored
            # secret: the field is posted empty to keep that), so it need not be typed twice.
            self.fields["secret"].widget.render_value = True

    def clean_secret(self):
        # Never shown again: an empty field keeps the stored secret.
        return self.cleaned_data.get("secret") or self.instance.secret

    def clean(self):
        data = super().clean()
        if data.get("provider") == NotificationChannel.DINGTALK and not (data.get("secret") or self.instance.secret):
            self.add_error("secret", _("DingTalk robots here must be signed: enter the signing secret."))
        return data


class DailyReadingItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(label=pgettext_lazy("where a text comes from", "Source"), max_length=100, help_text=_("e.g. Qiushi, People's Daily"))
    link = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    excerpt = forms.CharField(label=_("Excerpt"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    day = forms.DateField(
        label=_("Day"), initial=timezone.localdate,
        # A date input takes ISO dates only; the Chinese default format (2024/03/01) shows empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DailyReadingFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("All")), ("waiting", _("Not pushed yet")), ("sent", _("Pushed"))]

    group = forms.ModelChoiceField(
        label=_("Study group"), queryset=None, required=False, empty_label=_("All groups")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class RobotHostForm(forms.Form):
    host = forms.CharField(
        label=pgettext_lazy("network", "Host"), max_length=253,
        help_text=_("The host name or IP address alone, e.g. dingtalk.example.gov.cn (no https://, no path)."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, help_text=_("e.g. the province's government DingTalk")
    )

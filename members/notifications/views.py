"""Pages of the inbox, notification settings, the groups' chat robots and the daily reading.

Thin: objects come only through the scoped querysets (a person's inbox is theirs alone: others'
notification ids answer 404), writes go through ``members.notifications.services`` and
``members.notifications.daily_reading``. Actions show a confirmation page on GET and act on POST.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from members import scoping
from members.models import StudyGroup
from members.notifications import daily_reading
from members.notifications import services as notifications
from members.notifications.forms import (
    DailyReadingFilterForm,
    DailyReadingItemForm,
    GroupChannelForm,
    NotificationFilterForm,
    PreferencesForm,
    RobotHostForm,
)
from members.notifications.models import (
    DailyReading,
    DailyReadingItem,
    Delivery,
    GroupChannel,
    Notification,
    NotificationKind,
)
from members.views import apply_validation_error
from studygroup.actions import ObjectActionView
from studygroup.mixins import EDIT, ScopedObjectMixin, ScopedQuerysetMixin


def _local_path(target: str, request) -> bool:
    """A path on this site ("/meetings/3/"), nothing else: no other host, no scheme, no view
    name (a bare word such as ``abc`` would be looked up as one by ``redirect``)."""
    return (
        bool(target) and target.startswith("/") and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return target if _local_path(target, request) else fallback


class NotificationActionView(ObjectActionView):
    """The notification pages' actions are buttons on lists: after the action, back to the page
    the button was on (``next``, a path on this site) or the view's own page."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request, self.get_cancel_url()), **kwargs)

    def get_cancel_url(self) -> str:
        return reverse("notifications:notification-list")

    def get_success_url(self, result=None) -> str:
        return _safe_next(self.request, self.get_cancel_url())


# --- the inbox ---------------------------------------------------------------------------------


class NotificationList(ScopedQuerysetMixin, ListView):
    model = Notification
    paginate_by = 25
    template_name = "notifications/notification_list.html"

    def get_queryset(self):
        self.filter_form = NotificationFilterForm(self.request.GET or None)
        notifications_qs = super().get_queryset()
        if self.filter_form.is_valid():
            state = self.filter_form.cleaned_data["state"]
            if state == "unread":
                notifications_qs = notifications_qs.filter(read_at__isnull=True)
            elif state == "read":
                notifications_qs = notifications_qs.filter(read_at__isnull=False)
            if self.filter_form.cleaned_data["kind"]:
                notifications_qs = notifications_qs.filter(kind=self.filter_form.cleaned_data["kind"])
        return notifications_qs.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter_form=self.filter_form, unread=notifications.unread_count(self.request.user),
            query=query.urlencode(), **kwargs,
        )


class NotificationOpen(ScopedObjectMixin, DetailView):
    """Opening a notification (its title is a button that posts here) marks it read and goes to
    what it is about. A GET (an old link) only goes there: a GET never changes anything."""

    model = Notification

    def target(self, notification) -> str:
        return notification.url if _local_path(notification.url, self.request) else reverse("notifications:notification-list")

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.target(self.get_object()))

    def post(self, request, *args, **kwargs):
        notification = self.get_object()
        notifications.notification_mark_read(notification=notification, by=request.user)
        return HttpResponseRedirect(self.target(notification))


class NotificationMarkRead(NotificationActionView):
    model = Notification
    title = gettext_lazy("Mark as read")
    button = gettext_lazy("Mark as read")

    def perform(self, form):
        read = self.request.POST.get("read", "1") != "0"
        notifications.notification_mark_read(notification=self.object, by=self.request.user, read=read)


class NotificationMarkAllRead(LoginRequiredMixin, TemplateView):
    template_name = "action.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Mark all as read"), question=_("Mark every notification in your inbox as read?"),
            button=_("Mark all as read"), cancel_url=reverse("notifications:notification-list"),
            next=reverse("notifications:notification-list"), **kwargs,
        )

    def post(self, request, *args, **kwargs):
        count = notifications.notifications_mark_all_read(by=request.user)
        messages.success(request, _("%(n)s marked as read.") % {"n": count})
        return HttpResponseRedirect(_safe_next(request, reverse("notifications:notification-list")))


class NotificationPreferences(LoginRequiredMixin, FormView):
    template_name = "notifications/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "current": notifications.preferences_of(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(has_email=bool(self.request.user.email), **kwargs)

    def form_valid(self, form):
        notifications.preferences_update(by=self.request.user, enabled=form.choices())
        messages.success(self.request, _("Your notification settings were saved."))
        return redirect("notifications:notification-preferences")


# --- group robots and the delivery log -------------------------------------------------------------


class GroupChannels(ScopedObjectMixin, DetailView):
    """A group's chat robots and the log of pushes to its robots and people (staff only)."""

    model = StudyGroup
    requires = EDIT
    template_name = "notifications/group_channels.html"
    context_object_name = "group"

    deliveries_per_page = 25

    def get_context_data(self, **kwargs):
        user = self.request.user
        status = self.request.GET.get("status", "")
        labels = dict(NotificationKind.choices)
        channels = list(notifications.group_channels(user, self.object))
        for channel in channels:
            channel.kind_labels = [labels[kind] for kind in channel.kinds or [] if kind in labels]
        # The log grows with every push: a page at a time.
        paginator = Paginator(
            notifications.group_deliveries(user, self.object, status=status), self.deliveries_per_page
        )
        page = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(
            channels=channels, deliveries=page.object_list, paginator=paginator, page_obj=page,
            is_paginated=page.has_other_pages(), status=status, statuses=Delivery.Status.choices, **kwargs,
        )


class GroupChannelCreate(ScopedObjectMixin, FormView):
    model = StudyGroup
    requires = EDIT
    form_class = GroupChannelForm
    template_name = "notifications/group_channel_form.html"

    object_name = "group"

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            notifications.group_channel_create(group=self.group, by=self.request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The robot was added. Send a test message to check it."))
        return redirect("notifications:group-channels", pk=self.group.pk)


class GroupChannelUpdate(ScopedObjectMixin, FormView):
    model = GroupChannel
    requires = EDIT
    form_class = GroupChannelForm
    template_name = "notifications/group_channel_form.html"

    object_name = "channel"

    def get_queryset(self):
        return super().get_queryset().select_related("group")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.channel}

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.channel.group, channel=self.channel, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            notifications.group_channel_update(channel=self.channel, by=self.request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect("notifications:group-channels", pk=self.channel.group_id)


class GroupChannelTest(NotificationActionView):
    model = GroupChannel
    requires = EDIT
    title = gettext_lazy("Send a test message")
    question = gettext_lazy("Post a test message to this robot now?")
    button = gettext_lazy("Send a test message")

    def get_cancel_url(self):
        return reverse("notifications:group-channels", kwargs={"pk": self.object.group_id})

    success_message = gettext_lazy("The test message was queued; its result shows in the delivery log.")

    def perform(self, form):
        notifications.group_channel_test(channel=self.object, by=self.request.user)


class DeliveryRetry(NotificationActionView):
    model = Delivery
    requires = EDIT
    title = gettext_lazy("Send again")
    question = gettext_lazy("Send this message again? If it was interrupted it may arrive twice.")
    button = gettext_lazy("Send again")

    def get_queryset(self):
        return super().get_queryset().select_related("group_channel", "notification")

    def get_cancel_url(self):
        group_id = (
            self.object.group_channel.group_id if self.object.group_channel_id else self.object.notification.group_id
        )
        return reverse("notifications:group-channels", kwargs={"pk": group_id})

    success_message = gettext_lazy("It will be sent again.")

    def perform(self, form):
        notifications.delivery_retry(delivery=self.object, by=self.request.user)


# --- the robot host list (机器人地址白名单) ---------------------------------------------------------


class RobotHostList(PermissionRequiredMixin, FormView):
    """The hosts robots may post to besides DingTalk's and WeCom's: private deployments. Kept by
    the security administrator of the top organisation (and superusers); each change is audited."""

    permission_required = "notifications.manage_robot_hosts"
    form_class = RobotHostForm
    template_name = "notifications/robot_hosts.html"

    def get_context_data(self, **kwargs):
        from django.conf import settings

        from members.notifications.robot_hosts import OFFICIAL_HOSTS

        return super().get_context_data(
            hosts=notifications.robot_hosts_for(self.request.user),
            official_hosts=sorted(set(OFFICIAL_HOSTS.values())),
            setting_hosts=settings.ROBOT_EXTRA_HOSTS,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            robot_host = notifications.robot_host_add(
                host=form.cleaned_data["host"], note=form.cleaned_data["note"], by=self.request.user,
                request=self.request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(host)s was added: robots may now post there.") % {"host": robot_host.host})
        return redirect("notifications:robot-host-list")


class RobotHostRemove(PermissionRequiredMixin, TemplateView):
    permission_required = "notifications.manage_robot_hosts"
    template_name = "action.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            found = notifications.robot_hosts_for(request.user).filter(pk=kwargs["pk"]).first()
            if found is None:
                raise Http404
            self.object = found
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object, title=_("Remove the host"),
            question=_("Robots that post to this host fail from their next message on. Remove it?"),
            button=_("Remove"), cancel_url=reverse("notifications:robot-host-list"),
            next=reverse("notifications:robot-host-list"), **kwargs,
        )

    def post(self, request, *args, **kwargs):
        notifications.robot_host_remove(robot_host=self.object, by=request.user, request=request)
        messages.success(request, _("%(host)s was removed from the list.") % {"host": self.object.host})
        return redirect("notifications:robot-host-list")


# --- the daily reading ---------------------------------------------------------------------------


class DailyReadingList(ScopedQuerysetMixin, ListView):
    model = DailyReading
    paginate_by = 20
    template_name = "notifications/daily_reading_list.html"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = DailyReadingFilterForm(
            self.request.GET or None, groups=scoping.visible_groups(user).select_related("organization")
        )
        group = status = None
        if self.filter_form.is_valid():
            group = self.filter_form.cleaned_data["group"]
            status = self.filter_form.cleaned_data["status"]
        return daily_reading.readings_for(user, group=group, status=status)

    rates_shown = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        since = daily_reading.thirty_days_ago()
        groups = scoping.visible_groups(user).select_related("organization")
        if self.filter_form.is_valid() and self.filter_form.cleaned_data["group"]:
            groups = groups.filter(pk=self.filter_form.cleaned_data["group"].pk)
        rates = list(
            daily_reading.groups_with_reading_rate(groups, since=since).order_by("organization__path")[
                : self.rates_shown + 1
            ]
        )
        rates_cut = len(rates) > self.rates_shown
        rates = [daily_reading.with_rate_pct(group) for group in rates[: self.rates_shown]]
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter_form=self.filter_form, rates=rates, rates_cut=rates_cut, rates_shown=self.rates_shown,
            since=since, query=query.urlencode(),
            addable_groups=scoping.managed_groups(user).select_related("organization").order_by("organization__path")[:50],
            **kwargs,
        )


class DailyReadingDetail(ScopedObjectMixin, DetailView):
    model = DailyReading
    template_name = "notifications/daily_reading_detail.html"
    context_object_name = "reading"

    def get_queryset(self):
        return super().get_queryset().select_related("group")

    def get_context_data(self, **kwargs):
        user = self.request.user
        reading = self.object
        can_edit = user.has_perm("notifications.edit_reading", reading)
        can_approve = user.has_perm("notifications.approve_reading", reading)
        reads_group = scoping.read_organizations(user).filter(pk=reading.group.organization_id).exists()
        return super().get_context_data(
            items=daily_reading.items_for(user, reading, drafts=can_edit or can_approve),
            can_edit=can_edit, can_approve=can_approve,
            read_ids=daily_reading.read_item_ids(user, reading),
            is_open=daily_reading.is_open(reading), cutoff=daily_reading.cutoff_of(reading),
            rate=daily_reading.reading_rate(reading.group, since=reading.date, until=reading.date)
            if (can_edit or can_approve or reads_group) else None,
            **kwargs,
        )


class DailyReadingItemCreate(ScopedObjectMixin, FormView):
    """Staff add an article to a group's reading of a day (today by default)."""

    model = StudyGroup
    permission_required = "notifications.add_reading_item"
    form_class = DailyReadingItemForm
    template_name = "notifications/daily_reading_item_form.html"

    object_name = "group"

    def get_initial(self):
        day = self.request.GET.get("day")
        return {**super().get_initial(), **({"day": day} if day else {})}

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, cutoff=notifications.daily_reading_cutoff(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            item = daily_reading.daily_reading_item_add(
                group=self.group, by=self.request.user, title=data["title"], source=data["source"],
                link=data["link"], excerpt=data["excerpt"], day=data["day"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The article was added; the approver approves it before the cutoff."))
        return redirect(item.reading)


class DailyReadingApprove(NotificationActionView):
    model = DailyReading
    title = gettext_lazy("Approve the day's reading")
    question = gettext_lazy("Approve every article still waiting? They are pushed at the cutoff.")
    button = gettext_lazy("Approve all")
    permission_required = "notifications.approve_reading"

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def perform(self, form):
        return daily_reading.daily_reading_approve(reading=self.object, by=self.request.user)

    def get_success_message(self, count):
        return _("%(n)s approved.") % {"n": count}


class DailyReadingItemApprove(NotificationActionView):
    model = DailyReadingItem
    title = gettext_lazy("Approve the article")
    question = gettext_lazy("Approve this article for the day's push?")
    button = pgettext_lazy("daily reading approval", "Approve")
    permission_required = "notifications.approve_reading"

    def get_cancel_url(self):
        return self.object.reading.get_absolute_url()

    success_message = gettext_lazy("Approved.")

    def perform(self, form):
        daily_reading.daily_reading_item_approve(item=self.object, by=self.request.user)


class DailyReadingItemWithdraw(NotificationActionView):
    model = DailyReadingItem
    permission_required = "notifications.edit_reading"
    title = gettext_lazy("Withdraw the article")
    question = gettext_lazy("Withdraw this article from the day's push?")
    button = gettext_lazy("Withdraw")

    def get_cancel_url(self):
        return self.object.reading.get_absolute_url()

    success_message = gettext_lazy("Withdrawn.")

    def perform(self, form):
        daily_reading.daily_reading_item_withdraw(item=self.object, by=self.request.user)


class DailyReadingItemDetail(ScopedObjectMixin, DetailView):
    """An article of the day. A member opening a pushed article counts as having read it; the
    page links to the original."""

    model = DailyReadingItem
    template_name = "notifications/daily_reading_item.html"
    context_object_name = "item"

    def get_queryset(self):
        return super().get_queryset().select_related("reading__group")

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        user = self.request.user
        if not item.is_approved and not (
            user.has_perm("notifications.edit_reading", item) or user.has_perm("notifications.approve_reading", item)
        ):
            raise Http404
        return item

    def get_context_data(self, **kwargs):
        item = self.object
        counts = item.reading.sent_at is not None and item.is_approved and item.withdrawn_at is None
        return super().get_context_data(reading=item.reading, counts_as_read=counts, **kwargs)


class DailyReadingItemRead(DailyReadingItemDetail):
    """The article's page posts here when it opens (htmx, with the CSRF token): that counts as
    having read it. Only the POST counts; opening the page with a GET changes nothing."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        if item.reading.sent_at is not None and item.is_approved and item.withdrawn_at is None:
            daily_reading.daily_reading_mark_read(item=item, by=request.user)
        return HttpResponse(status=204)

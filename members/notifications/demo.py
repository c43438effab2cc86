"""Demo data for reminders and notifications (run by ``seed_demo`` after the other apps'
demo data, idempotent): the office director who approves the daily reading (``demo-approver``),
a fortnight of pushed daily readings with members' reads, today's articles waiting for approval,
the reminder rules run once so inboxes are not empty, and a DingTalk robot for the county
group that posts to ``manage.py robot_sink`` on this machine (127.0.0.1, put on the robot host
list so that robots may post there).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from members.demo import _assign, _person
from members.models import Membership, OrganizationAssignment, User, current_q
from members.notifications.models import (
    DailyReading,
    DailyReadingItem,
    DailyReadingRead,
    GroupChannel,
    RobotHost,
)

DEMO_ROBOT_PORT = 8025
DEMO_ROBOT_SECRET = "SECdemo0studygroup0robot0secret"
DEMO_ROBOT_URL = f"http://127.0.0.1:{DEMO_ROBOT_PORT}/robot/send?access_token=demo"

ARTICLES = [
    ("习近平：在二十届中央政治局第一次集体学习时的讲话", "求是", "https://www.qstheory.cn/"),
    ("深刻领悟“两个确立”的决定性意义", "人民日报", "https://www.people.com.cn/"),
    ("以学铸魂、以学增智、以学正风、以学促干", "学习时报", "https://www.studytimes.cn/"),
    ("牢牢把握高质量发展这个首要任务", "光明日报", "https://www.gmw.cn/"),
    ("以钉钉子精神抓好调查研究成果转化", "求是", "https://www.qstheory.cn/"),
    ("全面从严治党永远在路上", "中国纪检监察报", "https://www.ccdi.gov.cn/"),
    ("推进中国式现代化需要处理好的重大关系", "人民日报", "https://www.people.com.cn/"),
    ("做好新时代党的宣传思想文化工作", "学习时报", "https://www.studytimes.cn/"),
    ("加快建设农业强国 扎实推进乡村振兴", "经济日报", "https://www.ce.cn/"),
]


def _when(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _reading_history(group, staff, approver, members, today):
    """Ten working days of pushed readings, each read by some of the members."""
    from members.notifications.daily_reading import daily_reading_push

    day, made = today - timedelta(days=1), 0
    while made < 10:
        if day.weekday() < 5:
            reading, created = DailyReading.objects.get_or_create(
                group=group, date=day, defaults={"created_by": staff, "created_at": _when(day, 9)}
            )
            if created:
                chosen = [ARTICLES[(made * 2 + k) % len(ARTICLES)] for k in range(2 + made % 2)]
                items = [
                    DailyReadingItem.objects.create(
                        reading=reading, title=title, source=source, link=link, position=position,
                        excerpt="摘编：" + title, added_by=staff, added_at=_when(day, 9, 30),
                        approved_by=approver, approved_at=_when(day, 16),
                    )
                    for position, (title, source, link) in enumerate(chosen, start=1)
                ]
                daily_reading_push(reading=reading)
                DailyReading.objects.filter(pk=reading.pk).update(sent_at=_when(day, 18))
                # Leaders read nearly everything, the others about half: a rate of roughly 60%.
                DailyReadingRead.objects.bulk_create(
                    DailyReadingRead(item=item, user=person, read_at=_when(day, 19))
                    for index, person in enumerate(members)
                    for item in items
                    if (index + item.position + made) % 5 < 3
                )
            made += 1
        day -= timedelta(days=1)


def _reading_waiting(group, staff, today):
    """Today's articles (tomorrow's once today's cutoff has passed), waiting for the approver."""
    hour, minute = (int(part) for part in settings.DAILY_READING_CUTOFF.split(":"))
    day = today if timezone.localtime().time() < time(hour, minute) else today + timedelta(days=1)
    reading, created = DailyReading.objects.get_or_create(group=group, date=day, defaults={"created_by": staff})
    if created:
        for position, (title, source, link) in enumerate(ARTICLES[6:9], start=1):
            DailyReadingItem.objects.create(
                reading=reading, title=title, source=source, link=link, position=position,
                excerpt="摘编：" + title, added_by=staff,
            )


def _run_reminder_rules():
    """Each rule once, as beat would in the morning: the demo inboxes show what is due."""
    from members.notifications.registry import reminder_rules

    for rule in reminder_rules(demo=True):
        rule()


def seed(result: dict) -> dict:
    today = timezone.localdate()
    county, group = result["county"], result["county_group"]
    staff = User.objects.get(username="demo-staff")
    approver = _person("demo-approver", "陆晓峰", county, "县委办公室主任")
    _assign(approver, county, OrganizationAssignment.Role.APPROVER)
    members = [
        m.user for m in Membership.objects.filter(current_q(), group=group).select_related("user").order_by("role", "pk")
    ]
    # Before the reminder rules run, so that the first run makes the e-mails a second run would.
    User.objects.filter(username="demo-member", email="").update(email="demo-member@example.org")
    _reading_history(group, staff, approver, members, today)
    _reading_waiting(group, staff, today)
    _run_reminder_rules()
    # The robot sink listens on this machine: a loopback address robots may reach only when the
    # security administrator lists it (members.notifications.robot_hosts).
    RobotHost.objects.get_or_create(
        host="127.0.0.1", defaults={"note": "演示：本机的 manage.py robot_sink", "added_by": staff},
    )
    # Created last, so the demo's own history is not posted to it.
    GroupChannel.objects.get_or_create(
        group=group, provider=GroupChannel.Provider.DINGTALK, webhook_url=DEMO_ROBOT_URL,
        defaults={"name": "县委中心组钉钉群（演示：manage.py robot_sink 接收）", "secret": DEMO_ROBOT_SECRET,
                  "created_by": staff},
    )
    result["accounts"].append("demo-approver")
    return result

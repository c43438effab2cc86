"""A believable province around the demo, to measure the pages at scale.

    python manage.py seed_scale --groups 10000 [--texts 100]

Adds cities under the demo's province (江北省委), counties under them and the units of each
(departments and townships), each with its study group of twenty people, a published annual plan
with six topics, a year of monthly meetings (the past ones held and archived, with attendance and
minutes), ``--texts`` members' texts per group, indexed by the project's own search index, and
180 days of audit entries. County and city staff, and ``demo-province-staff`` at the province,
get the demo password.

Deterministic: the n-th generated group is always the same unit, people and records, so a second
run with the same ``--groups`` changes nothing and a larger one adds the groups that are missing
(``--texts`` applies to the groups it adds). Rows go in with bulk inserts, a few hundred groups to
a transaction; history rows are not written (nothing here was ever changed by anyone).

It refuses a database that holds anything but the demo: every account must still have the demo
password, and every organisation must sit under the demo's province.
"""

import io
import json
import random
import time
from datetime import date, datetime, timedelta
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from django.contrib.auth.hashers import check_password

from members.demo import DEMO_PASSWORD
from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User
from members.work.models import MemberWork, SearchEntry, WorkKind, WorkStatus
from members.work.search import tokens
from plans.models import AnnualPlan, StudyForm, Topic
from sessions.models import Attendance, Meeting, Minutes
from studygroup.audit.models import AuditEntry

PROVINCE_NAME = "中共江北省委员会"
PROVINCE_STAFF = "demo-province-staff"
USERNAME_PREFIX = "sc"  # sc<group index>-<seat>, sc<group index>-staff
YEAR = 2026
MEMBERS_PER_GROUP = 20
CITY_DEPARTMENTS = 30
COUNTIES_PER_CITY = 8
UNITS_PER_COUNTY = 60  # 40 departments and 20 townships
GROUPS_PER_COUNTY = 1 + UNITS_PER_COUNTY
GROUPS_PER_CITY = 1 + CITY_DEPARTMENTS + COUNTIES_PER_CITY * GROUPS_PER_COUNTY
AUDIT_DAYS = 180
AUDIT_PER_GROUP = 18
CHUNK = 200  # groups a transaction

CITY_NAMES = (
    "东江 西陵 南屏 北川 云梦 平湖 安宁 长丰 永和 清河 桂阳 松原 宜春 丰城 新塘 白沙 金华 玉林 银川 凤阳 "
    "黄石 青林 红岭 紫阳 乐平 兴安 德安 瑞金 泰和 吉安"
).split()
COUNTY_FIRST = "上下东西南北中新长永安平宁和兴丰泰德清明"
COUNTY_SECOND = "江河湖山川林阳源溪城岭田桥坪塘"
CITY_UNITS = (
    "人民政府 教育局 公安局 民政局 司法局 财政局 人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 "
    "交通运输局 水利局 农业农村局 商务局 文化广电旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 "
    "市场监督管理局 统计局 医疗保障局 林业局 体育局 信访局 国有资产监督管理委员会 发展和改革委员会 "
    "工业和信息化局 科学技术局 城市管理局"
).split()
COUNTY_DEPARTMENTS = CITY_UNITS[:30] + (
    "机关事务管理局 档案馆 融媒体中心 供销合作社 粮食和物资储备局 数据资源局 行政审批局 乡村振兴局 "
    "气象局 烟草专卖局"
).split()
TOWNSHIP_FIRST = "大小新老高长石金龙凤桃柳杨马黄白红青云双"
TOWNSHIP_SECOND = "岗坝口湾桥集店庄铺寨"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
GIVEN = "建国志强海军明远德华文斌晓东丽娟春燕永红国庆立新卫东玉兰秀英俊杰子涵思远嘉怡浩然雨桐宏伟"

TOPICS = (
    "深入学习贯彻习近平新时代中国特色社会主义思想", "学习贯彻党的二十届四中全会精神",
    "深入学习习近平经济思想，推动高质量发展", "学习习近平文化思想，建设文化强省",
    "坚持以人民为中心，扎实办好民生实事", "全面从严治党，推进党风廉政建设",
)
WORK_TITLES = (
    "学习{topic}的心得体会", "关于{topic}的调研报告", "把{topic}落到实处", "{topic}学习笔记",
    "以{topic}推动本单位工作", "关于{topic}的几点思考",
)
PHRASES = (
    "通过这次集中学习，我深刻认识到理论学习的重要性。", "要把学习成果转化为推动工作的实际成效。",
    "深入基层开展调研，摸清群众急难愁盼问题。", "坚持学思用贯通、知信行统一。",
    "围绕中心工作，找准学习与实践的结合点。", "以高质量党建引领高质量发展。",
    "深化调查研究，提出切实可行的对策建议。", "把学习体会写在工作上，落实到行动中。",
    "进一步增强“四个意识”、坚定“四个自信”、做到“两个维护”。", "聚焦乡村振兴，推动产业发展和农民增收。",
    "持续改进作风，力戒形式主义、官僚主义。", "加强理论武装，提高政治判断力、政治领悟力、政治执行力。",
    "结合本单位实际，研究制定具体落实措施。", "营造比学赶超的浓厚氛围。",
)


def _step(number: int) -> str:
    """treebeard's 4-character path step (base 36)."""
    alphabet = Organization.alphabet
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return digits.rjust(Organization.steplen, alphabet[0])


def _county_name(index: int) -> str:
    return COUNTY_FIRST[index % len(COUNTY_FIRST)] + COUNTY_SECOND[(index // len(COUNTY_FIRST)) % len(COUNTY_SECOND)]


def _city_name(index: int) -> str:
    base = CITY_NAMES[index % len(CITY_NAMES)]
    return base if index < len(CITY_NAMES) else f"{base}{index // len(CITY_NAMES) + 1}"


def layout(index: int) -> dict:
    """Where the ``index``-th generated group sits: its organisation's name, kind, level, path
    step under its parent, and the index of the parent's group (None: the province)."""
    city, rest = divmod(index, GROUPS_PER_CITY)
    city_index = city * GROUPS_PER_CITY
    city_name = _city_name(city)
    if rest == 0:  # the city committee: 临川 is the demo's first city, these come after it
        return {"name": f"中共{city_name}市委员会", "short": f"{city_name}市委", "kind": "party_committee",
                "level": "city", "step": city + 2, "parent": None}
    if rest <= CITY_DEPARTMENTS:
        unit = CITY_UNITS[rest - 1]
        return {"name": f"中共{city_name}市{unit}党组", "short": f"{city_name}市{unit[:4]}党组", "kind": "party_group",
                "level": "department", "step": rest, "parent": city_index}
    county, unit = divmod(rest - 1 - CITY_DEPARTMENTS, GROUPS_PER_COUNTY)
    county_index = city_index + 1 + CITY_DEPARTMENTS + county * GROUPS_PER_COUNTY
    county_name = _county_name(city * COUNTIES_PER_CITY + county)
    if unit == 0:
        return {"name": f"中共{city_name}市{county_name}县委员会", "short": f"{county_name}县委", "kind": "party_committee",
                "level": "county", "step": CITY_DEPARTMENTS + 1 + county, "parent": city_index}
    if unit <= len(COUNTY_DEPARTMENTS):
        department = COUNTY_DEPARTMENTS[unit - 1]
        return {"name": f"中共{county_name}县{department}党组", "short": f"{county_name}县{department[:4]}", "kind": "party_group",
                "level": "department", "step": unit, "parent": county_index}
    town = unit - len(COUNTY_DEPARTMENTS) - 1
    town_name = TOWNSHIP_FIRST[(town + county) % len(TOWNSHIP_FIRST)] + TOWNSHIP_SECOND[town % len(TOWNSHIP_SECOND)]
    return {"name": f"中共{county_name}县{town_name}镇委员会", "short": f"{town_name}镇党委", "kind": "party_committee",
            "level": "township", "step": unit, "parent": county_index}


class Command(BaseCommand):
    help = "Grow the demo into a province of N study groups with their people, meetings and texts."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, required=True, help="study groups to generate (besides the demo's)")
        parser.add_argument("--texts", type=int, default=100, help="members' texts per generated group (default 100)")

    def handle(self, *args, groups, texts, **options):
        if groups < 0 or texts < 0:
            raise CommandError("--groups and --texts must not be negative")
        started = time.monotonic()
        self.check_demo_only()
        # The demo's own hash (it shares one salt): no slow hashing for 200,000 accounts.
        self.password = User.objects.get(username="demo-staff").password
        self.province = Organization.objects.get(depth=1, name=PROVINCE_NAME)
        self.province_staff()
        generated = self.generated_groups()
        if generated >= groups:
            self.stdout.write(f"{generated} generated study groups already (asked for {groups}): nothing to do.")
            return
        self.content_type = ContentType.objects.get_for_model(MemberWork)
        self.minutes_type = ContentType.objects.get_for_model(Minutes)
        self.now = timezone.now()
        self.texts = texts
        self.step_seconds = {}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A bulk load of generated rows: a lost last chunk on a crash costs nothing (the
                # run is repeatable), and a larger GIN pending list halves the search index's cost.
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SET gin_pending_list_limit = '64MB'")
        for first in range(generated, groups, CHUNK):
            last = min(first + CHUNK, groups)
            with transaction.atomic():
                self.add_groups(first, last)
            rate = (last - generated) / (time.monotonic() - started)
            self.stdout.write(f"  {last} / {groups} groups ({rate:.0f} a second)")
        with transaction.atomic():
            self.count_children()
        if connection.vendor == "postgresql":
            # Before the bulletin's figures are worked out: with the statistics of an empty table
            # the planner reads 750,000 index entries per meeting for the seven records.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.province_bulletin()
        if options["verbosity"] > 1:
            self.stdout.write("  seconds by step: " + ", ".join(f"{k} {v:.0f}" for k, v in self.step_seconds.items()))
        self.stdout.write(self.style.SUCCESS(
            f"{groups} generated study groups ({groups - generated} added) in {time.monotonic() - started:.0f} s; "
            f"log in as {PROVINCE_STAFF} with the demo password."
        ))

    # what is there -------------------------------------------------------------------------------

    def check_demo_only(self):
        if not Organization.objects.filter(depth=1, name=PROVINCE_NAME).exists():
            raise CommandError("Run `manage.py seed_demo` first: the province grows around the demo.")
        others = Organization.objects.exclude(path__startswith=Organization.objects.get(depth=1, name=PROVINCE_NAME).path)
        # Every account of the demo (and of earlier runs) shares the demo password's one hash.
        hashes = list(User.objects.order_by().values_list("password", flat=True).distinct()[:3])
        foreign_people = len(hashes) > 1 or any(not check_password(DEMO_PASSWORD, h) for h in hashes)
        if others.exists() or foreign_people:
            raise CommandError(
                "This database holds more than the demo (an organisation outside the demo province, or an "
                "account without the demo password): seed_scale only runs on a demo database."
            )

    def generated_groups(self) -> int:
        return User.objects.filter(username__regex=rf"^{USERNAME_PREFIX}[0-9]+-01$").count()

    def province_staff(self):
        user, created = User.objects.get_or_create(
            username=PROVINCE_STAFF,
            defaults={"name": "江北省委宣传部干事", "organization": self.province, "position": "省委宣传部理论处干部",
                      "password": self.password},
        )
        OrganizationAssignment.objects.get_or_create(
            user=user, organization=self.province, role=OrganizationAssignment.Role.STAFF, ended_on=None,
            defaults={"started_on": datetime(2024, 1, 1).date()},
        )

    def province_bulletin(self):
        """The province's bulletin of the first half year, issued, its annex covering every
        generated group; frozen again when the province grows (generated data only)."""
        from reports import selectors as report_selectors
        from reports import services as report_services
        from reports.models import Bulletin, Period

        staff = User.objects.get(username=PROVINCE_STAFF)
        bulletin = Bulletin.objects.filter(organization=self.province, year=YEAR, period=Period.FIRST_HALF).first()
        if bulletin is None:
            bulletin = report_services.bulletin_create(
                organization=self.province, year=YEAR, period=Period.FIRST_HALF, by=staff
            )
        if bulletin.status == Bulletin.Status.DRAFT:  # new, or an earlier run stopped before issuing
            report_services.bulletin_issue(bulletin=bulletin, by=staff)
        else:
            Bulletin.objects.filter(pk=bulletin.pk).update(figures=report_selectors.bulletin_snapshot(bulletin))

    # one chunk -----------------------------------------------------------------------------------

    def add_groups(self, first: int, last: int):
        places = {index: layout(index) for index in range(first, last)}
        parent_paths = self.parent_paths({p["parent"] for p in places.values() if p["parent"] is not None} - set(places))
        orgs = []
        for index, place in places.items():
            parent_path = self.province.path if place["parent"] is None else parent_paths[place["parent"]]
            path = parent_path + _step(place["step"])
            parent_paths[index] = path
            orgs.append(Organization(
                path=path, depth=len(path) // Organization.steplen, numchild=0, name=place["name"],
                short_name=place["short"], kind=place["kind"], level=place["level"],
            ))
        Organization.objects.bulk_create(orgs, batch_size=1000)
        by_path = dict(Organization.objects.filter(path__in=[o.path for o in orgs]).values_list("path", "pk"))
        org_ids = {index: by_path[parent_paths[index]] for index in places}
        groups = StudyGroup.objects.bulk_create(
            [StudyGroup(organization_id=org_ids[i], name=f"{places[i]['name']}理论学习中心组") for i in places], batch_size=1000
        )
        group_of = {index: group for index, group in zip(places, groups, strict=True)}
        seats = self.timed("people", self.add_people, places, org_ids, group_of)
        topics = self.timed("plans", self.add_plans, group_of, seats)
        meetings = self.timed("meetings", self.add_meetings, group_of, seats, topics)
        self.timed("texts", self.add_texts, group_of, seats, topics, meetings)
        self.timed("audit", self.add_audit, places, org_ids, seats)

    def timed(self, step, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.step_seconds[step] = self.step_seconds.get(step, 0) + time.monotonic() - started
        return result

    def parent_paths(self, indexes) -> dict:
        """Paths of parents generated in an earlier chunk (found by their names)."""
        names = {layout(index)["name"]: index for index in indexes}
        found = dict(Organization.objects.filter(name__in=names, path__startswith=self.province.path).values_list("name", "path"))
        return {names[name]: path for name, path in found.items()}

    def add_people(self, places, org_ids, group_of) -> dict:
        users = []
        for index, place in places.items():
            rng = random.Random(index)
            for seat in range(1, MEMBERS_PER_GROUP + 1):
                users.append(User(
                    username=f"{USERNAME_PREFIX}{index}-{seat:02d}", password=self.password,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    organization_id=org_ids[index], position="成员",
                    phone=f"139{index:05d}{seat:03d}"[:11],
                ))
            if place["level"] in ("city", "county"):
                users.append(User(
                    username=f"{USERNAME_PREFIX}{index}-staff", password=self.password,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    organization_id=org_ids[index], position="宣传部理论教育科干部",
                ))
        User.objects.bulk_create(users, batch_size=2000)
        ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        memberships, assignments, seats = [], [], {}
        roles = {1: Membership.Role.LEADER, 2: Membership.Role.DEPUTY, MEMBERS_PER_GROUP: Membership.Role.SECRETARY}
        for index in places:
            seats[index] = [ids[f"{USERNAME_PREFIX}{index}-{seat:02d}"] for seat in range(1, MEMBERS_PER_GROUP + 1)]
            for seat, user_id in enumerate(seats[index], start=1):
                memberships.append(Membership(
                    group=group_of[index], user_id=user_id, role=roles.get(seat, Membership.Role.MEMBER),
                    started_on=datetime(2024, 1, 1).date(),
                ))
            staff = ids.get(f"{USERNAME_PREFIX}{index}-staff")
            if staff:
                assignments.append(OrganizationAssignment(
                    user_id=staff, organization_id=org_ids[index], role=OrganizationAssignment.Role.STAFF,
                    started_on=datetime(2024, 1, 1).date(),
                ))
        Membership.objects.bulk_create(memberships, batch_size=5000)
        OrganizationAssignment.objects.bulk_create(assignments, batch_size=1000)
        return seats

    def add_plans(self, group_of, seats) -> dict:
        plans = AnnualPlan.objects.bulk_create([
            AnnualPlan(
                group=group, year=YEAR, title=f"{group.name}{YEAR}年度学习计划", status=AnnualPlan.Status.PUBLISHED,
                created_by_id=seats[index][-1], published_by_id=seats[index][-1],
                published_at=timezone.make_aware(datetime(YEAR, 1, 20, 10)),
                approved_by_id=seats[index][0], approved_at=timezone.make_aware(datetime(YEAR, 1, 18, 10)),
            )
            for index, group in group_of.items()
        ], batch_size=1000)
        topics = Topic.objects.bulk_create([
            Topic(plan=plan, position=position, label=f"专题{position + 1}", title=title,
                  study_form=StudyForm.GROUP_STUDY if position % 2 == 0 else StudyForm.DISCUSSION)
            for plan in plans for position, title in enumerate(TOPICS)
        ], batch_size=5000)
        by_group = {}
        for topic in topics:
            by_group.setdefault(topic.plan.group_id, []).append(topic)
        return {index: by_group[group.pk] for index, group in group_of.items()}

    def add_meetings(self, group_of, seats, topics) -> dict:
        meetings, links = [], []
        for index, group in group_of.items():
            for month in range(1, 13):
                starts = timezone.make_aware(datetime(YEAR, month, 5 + index % 20, 9, 0))
                past = starts < self.now
                topic = topics[index][(month - 1) % len(TOPICS)]
                meeting = Meeting(
                    group=group, title=f"{YEAR}年第{month}次集中学习：{topic.title}",
                    kind=topic.study_form, starts_at=starts, ends_at=starts + timedelta(hours=2),
                    venue="机关三楼会议室", host_id=seats[index][0], created_by_id=seats[index][-1],
                    status=(Meeting.Status.ARCHIVED if month % 4 else Meeting.Status.HELD) if past else Meeting.Status.PLANNED,
                    held_at=starts + timedelta(hours=2) if past else None,
                    archived_at=starts + timedelta(days=3) if past and month % 4 else None,
                    archived_by_id=seats[index][-1] if past and month % 4 else None,
                )
                meetings.append(meeting)
                links.append(topic)
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        Meeting.topics.through.objects.bulk_create(
            [Meeting.topics.through(meeting_id=m.pk, topic_id=t.pk) for m, t in zip(meetings, links, strict=True)],
            batch_size=5000,
        )
        attendance, minutes, minute_pieces = [], [], []
        seats_by_group = {group.pk: seats[index] for index, group in group_of.items()}
        for meeting in meetings:
            if meeting.status == Meeting.Status.PLANNED:
                continue
            rng = random.Random(meeting.starts_at.month * 100_003 + meeting.group_id)
            for user_id in seats_by_group[meeting.group_id]:
                roll = rng.random()
                status = "present" if roll < 0.9 else "late" if roll < 0.93 else "leave" if roll < 0.98 else "absent"
                attendance.append({
                    "meeting_id": meeting.pk, "user_id": user_id, "status": status,
                    "leave_reason": "因公出差" if status == "leave" else "", "recorded_by_id": meeting.created_by_id,
                    "created_at": meeting.ends_at,
                })
            pieces = [f"{meeting.title}。", *(rng.choice(PHRASES) for _ in range(6))]
            # Written on the day (a later date reads as 补记).
            minutes.append({"meeting_id": meeting.pk, "entered_by_id": meeting.created_by_id, "text": "".join(pieces),
                            "entered_at": meeting.ends_at})
            minute_pieces.append((meeting, pieces))
        insert(Attendance, attendance)
        minute_ids = insert(Minutes, minutes, want_ids=True)
        insert(SearchEntry, [
            _entry(self.minutes_type, pk, meeting.title, pieces, meeting.group_id, YEAR)
            for pk, (meeting, pieces) in zip(minute_ids, minute_pieces, strict=True)
        ])
        by_group = {}
        for meeting in meetings:
            by_group.setdefault(meeting.group_id, []).append(meeting)
        return by_group

    def add_texts(self, group_of, seats, topics, meetings):
        works, bodies = [], []
        kinds = [WorkKind.REFLECTION] * 6 + [WorkKind.NOTE] * 2 + [WorkKind.RESEARCH, WorkKind.ARTICLE]
        for index, group in group_of.items():
            rng = random.Random(-index - 1)
            held = [m for m in meetings[group.pk] if m.status != Meeting.Status.PLANNED]
            for number in range(self.texts):
                author = seats[index][number % MEMBERS_PER_GROUP]
                topic = topics[index][number % len(TOPICS)]
                kind = kinds[number % len(kinds)]
                written = timezone.make_aware(datetime(YEAR, 1, 1, 8)) + timedelta(
                    minutes=rng.randrange(0, int((min(self.now, timezone.make_aware(datetime(YEAR, 12, 31))) -
                                                 timezone.make_aware(datetime(YEAR, 1, 1, 8))).total_seconds() // 60))
                )
                pieces = [rng.choice(PHRASES) for _ in range(8 + number % 10)]
                body = "".join(pieces)
                status = (WorkStatus.ACCEPTED, WorkStatus.ACCEPTED, WorkStatus.SUBMITTED, WorkStatus.DRAFT)[number % 4]
                submitted = written + timedelta(hours=2) if status != WorkStatus.DRAFT else None
                meeting = held[number % len(held)] if kind == WorkKind.REFLECTION and held else None
                title = rng.choice(WORK_TITLES).format(topic=topic.title[:16])
                bodies.append(pieces)
                works.append({
                    "kind": kind, "group_id": group.pk, "author_id": author, "year": YEAR,
                    "title": title, "body": body, "word_count": len(body),
                    "topic_id": topic.pk, "meeting_id": meeting.pk if meeting else None,
                    "occurred_on": meeting.starts_at.date() if meeting else None,
                    "status": status, "created_at": written, "updated_at": submitted or written,
                    "first_submitted_at": submitted, "submitted_at": submitted,
                    "submission_count": 1 if submitted else 0,
                    "reviewed_at": submitted + timedelta(days=1) if status == WorkStatus.ACCEPTED else None,
                    "reviewed_by_id": (seats[index][-1] if author != seats[index][-1] else seats[index][0])
                    if status == WorkStatus.ACCEPTED else None,
                })
        ids = insert(MemberWork, works, want_ids=True)
        insert(SearchEntry, [
            _entry(self.content_type, pk, work["title"], pieces, work["group_id"], YEAR)
            for pk, work, pieces in zip(ids, works, bodies, strict=True)
        ])

    def add_audit(self, places, org_ids, seats):
        entries = []
        start = self.now - timedelta(days=AUDIT_DAYS)
        for index in places:
            rng = random.Random(index * 7 + 3)
            for number in range(AUDIT_PER_GROUP):
                user_id = seats[index][number % MEMBERS_PER_GROUP]
                action = ("login", "login", "logout", "update", "create", "download")[number % 6]
                entries.append(AuditEntry(
                    at=start + timedelta(seconds=rng.randrange(AUDIT_DAYS * 86400)), actor_id=user_id,
                    actor_name=f"{USERNAME_PREFIX}{index}-{number % MEMBERS_PER_GROUP + 1:02d}",
                    organization_id=org_ids[index], action=action,
                    object_type="work.memberwork" if action in ("update", "create", "download") else "",
                    ip=f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}", user_agent="Mozilla/5.0",
                ))
        AuditEntry.objects.bulk_create(entries, batch_size=5000)

    def count_children(self):
        """treebeard's ``numchild`` of the province and of every organisation below it."""
        paths = Organization.objects.filter(path__startswith=self.province.path).values_list("path", flat=True)
        children = {}
        for path in paths:
            parent = path[: -Organization.steplen]
            children[parent] = children.get(parent, 0) + 1
        changed = [
            org for org in Organization.objects.filter(path__startswith=self.province.path).only("path", "numchild")
            if org.numchild != children.get(org.path, 0)
        ]
        for org in changed:
            org.numchild = children.get(org.path, 0)
        Organization.objects.bulk_update(changed, ["numchild"], batch_size=1000)


@cache
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(tokens(piece))


def _entry(content_type, object_id, title, pieces, group_id, year) -> SearchEntry:
    """The search entry ``members.work.search.index_text`` would write, from the text's pieces: they
    end in punctuation, which no token spans, so the text's tokens are the pieces' in order (cut
    once per distinct piece: a million texts are made of a few dozen phrases)."""
    seen = dict.fromkeys(_piece_tokens(title))
    for piece in pieces:
        seen.update(dict.fromkeys(_piece_tokens(piece)))
    joined = " ".join(seen)
    return {"content_type_id": content_type.pk, "object_id": object_id, "title": title[:200],
            "bigrams": f" {joined} ", "group_id": group_id, "year": year}


def insert(model, rows: list[dict], *, want_ids: bool = False) -> list[int]:
    """Insert ``rows`` (attribute name → value; the model's defaults for the rest). PostgreSQL
    takes them with COPY, a tenth of the work of INSERTs through model instances; ids, when
    wanted, are drawn from the table's sequence first. Elsewhere: bulk_create."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        # bulk_create stamps auto_now(_add) fields with the present; the rows carry their own
        # dates (minutes written on the meeting's day are not 补记), so those stamps are off here.
        stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        given = [f for f in stamped if f.attname in rows[0]]
        saved = [(f, f.auto_now, f.auto_now_add) for f in given]
        try:
            for f in given:
                f.auto_now = f.auto_now_add = False
            objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        finally:
            for f, auto_now, auto_now_add in saved:
                f.auto_now, f.auto_now_add = auto_now, auto_now_add
        return [obj.pk for obj in objects]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model()
    defaults = {f.attname: f.pre_save(template, add=True) for f in fields}
    with connection.cursor() as cursor:
        ids = []
        if want_ids:
            table = model._meta.db_table
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
        columns = (["id"] if want_ids else []) + [f.column for f in fields]
        buffer = io.StringIO()
        for number, row in enumerate(rows):
            values = [ids[number]] if want_ids else []
            values += [row.get(f.attname, defaults[f.attname]) for f in fields]
            buffer.write("\t".join(map(_copy_text, values)))
            buffer.write("\n")
        buffer.seek(0)
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({', '.join(map(connection.ops.quote_name, columns))}) "
            "FROM STDIN", buffer,
        )
    return ids


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

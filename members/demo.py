"""Demo organisations and people for ``seed_demo``: a believable county, and a sibling one.

Idempotent: everything is looked up by a natural key first and created only when missing, so a
second run changes nothing (and writes no history rows).
"""

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password

from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User

DEMO_PASSWORD = "Demo@2026study"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强海军明远德华文斌晓东丽娟春燕永红国庆立新卫东玉兰秀英俊杰子涵思远嘉怡浩然雨桐宏伟桂芳振华丽华建军红梅伟民晓燕家豪欣怡宇航梦洁世杰文静"


@dataclass(frozen=True)
class OrgSpec:
    key: str  # short code: used in demo usernames
    name: str
    short_name: str
    kind: str
    level: str
    size: int  # members of its study group
    titles: tuple[str, ...]  # positions, first is the group leader


PC = Organization.Kind.PARTY_COMMITTEE
PG = Organization.Kind.PARTY_GROUP

TOWNSHIP_TITLES = ("党委书记", "党委副书记、镇长", "党委副书记", "人大主席", "纪委书记", "组织委员", "宣传委员", "武装部长", "副镇长", "统战委员", "副镇长", "党政办主任")
BUREAU_TITLES = ("党组书记、局长", "党组成员、副局长", "党组成员、副局长", "纪检监察组组长", "党组成员、总工程师", "办公室主任", "副局长", "机关党委书记", "科长", "科长")

COUNTY = OrgSpec(
    "qs", "中共青山县委员会", "青山县委", PC, Organization.Level.COUNTY, 18,
    ("县委书记", "县委副书记、县长", "县委副书记", "县委常委、组织部部长", "县委常委、宣传部部长",
     "县委常委、纪委书记", "县委常委、政法委书记", "县委常委、常务副县长", "县委常委、统战部部长",
     "县委常委、县委办主任", "县委常委、副县长", "县人大常委会主任", "县政协主席"),
)
COUNTY_UNITS = [
    OrgSpec("qsgov", "中共青山县人民政府党组", "县政府党组", PG, Organization.Level.COUNTY, 14,
            ("县长、党组书记", "常务副县长、党组副书记", "副县长、党组成员", "副县长、党组成员", "副县长、党组成员", "县政府办主任")),
    OrgSpec("qsedu", "中共青山县教育局党组", "县教育局党组", PG, Organization.Level.DEPARTMENT, 12, BUREAU_TITLES),
    OrgSpec("qshealth", "中共青山县卫生健康局党组", "县卫健局党组", PG, Organization.Level.DEPARTMENT, 11, BUREAU_TITLES),
    OrgSpec("qsfin", "中共青山县财政局党组", "县财政局党组", PG, Organization.Level.DEPARTMENT, 10, BUREAU_TITLES),
    OrgSpec("qsdrc", "中共青山县发展和改革局党组", "县发改局党组", PG, Organization.Level.DEPARTMENT, 10, BUREAU_TITLES),
    OrgSpec("qsagri", "中共青山县农业农村局党组", "县农业农村局党组", PG, Organization.Level.DEPARTMENT, 13, BUREAU_TITLES),
    OrgSpec("qscg", "中共青山县城关镇委员会", "城关镇党委", PC, Organization.Level.TOWNSHIP, 15, TOWNSHIP_TITLES),
    OrgSpec("qshk", "中共青山县河口镇委员会", "河口镇党委", PC, Organization.Level.TOWNSHIP, 12, TOWNSHIP_TITLES),
    OrgSpec("qssq", "中共青山县石桥乡委员会", "石桥乡党委", PC, Organization.Level.TOWNSHIP, 10, TOWNSHIP_TITLES),
]
SIBLING = OrgSpec("bs", "中共白水县委员会", "白水县委", PC, Organization.Level.COUNTY, 10,
                  ("县委书记", "县委副书记、县长", "县委常委、宣传部部长", "县委常委、组织部部长"))
SIBLING_UNITS = [
    OrgSpec("bsedu", "中共白水县教育局党组", "白水县教育局党组", PG, Organization.Level.DEPARTMENT, 10, BUREAU_TITLES),
]

TERM_START = date(2024, 1, 1)

ADMINISTRATORS = [
    ("demo-sysadmin", "孙志远", "省委网信办系统管理员", OrganizationAssignment.Role.SYSTEM_ADMIN),
    ("demo-secadmin", "林海燕", "省委网信办安全管理员", OrganizationAssignment.Role.SECURITY_ADMIN),
    ("demo-auditor", "郑文静", "省纪委监委审计管理员", OrganizationAssignment.Role.AUDITOR),
]
FALLBACK_TITLE = {
    Organization.Level.COUNTY: "县委委员",
    Organization.Level.DEPARTMENT: "科室负责人",
    Organization.Level.TOWNSHIP: "党委委员",
}


def _org(spec_name, short_name, kind, level, parent=None) -> Organization:
    tree = Organization.objects
    siblings = tree.get_children(parent) if parent else tree.get_root_nodes()
    existing = siblings.filter(name=spec_name).first()
    if existing:
        return existing
    fields = {"name": spec_name, "short_name": short_name, "kind": kind, "level": level}
    return tree.add_child(parent, fields) if parent else tree.add_root(fields)


def _group(org: Organization) -> StudyGroup:
    group, _ = StudyGroup.objects.get_or_create(
        organization=org, defaults={"name": f"{org.name}理论学习中心组"}
    )
    return group


@cache
def _demo_password_hash(hasher: str) -> str:
    """The shared demo password, hashed once: hashing is slow on purpose (PBKDF2, about 0.2 s),
    and doing it for each of the 150 demo people was half of ``seed_demo``'s time. The salt is
    shared too, which gives nothing away: the password is printed for everyone anyway."""
    return make_password(DEMO_PASSWORD)


def _person(username, name, org, position, *, superuser=False) -> User:
    user = User.objects.filter(username=username).first()
    if user:
        return user
    user = User(username=username, name=name, organization=org, position=position,
                is_superuser=superuser, is_staff=superuser)
    user.password = _demo_password_hash(settings.PASSWORD_HASHERS[0])
    user.save()
    return user


def _seat(group, user, role, started_on=TERM_START, ended_on=None) -> Membership:
    membership = Membership.objects.filter(group=group, user=user, started_on=started_on).first()
    if membership:
        return membership
    return Membership.objects.create(group=group, user=user, role=role, started_on=started_on, ended_on=ended_on)


def _assign(user, org, role) -> OrganizationAssignment:
    assignment, _ = OrganizationAssignment.objects.get_or_create(
        user=user, organization=org, role=role, ended_on=None, defaults={"started_on": TERM_START}
    )
    return assignment


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        pairs = [GIVEN[i : i + 2] for i in range(0, len(GIVEN) - 1, 2)]
        given = rng.choice(pairs) if rng.random() < 0.75 else rng.choice(GIVEN)
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _populate(spec: OrgSpec, org: Organization, rng: random.Random, taken: set[str]) -> StudyGroup:
    """A study group of ``spec.size``: leader, deputy, members and a study secretary."""
    group = _group(org)
    names = _names(rng, spec.size, taken)
    for index, name in enumerate(names, start=1):
        if index == spec.size:
            role, position = Membership.Role.SECRETARY, "宣传干事" if spec.level == Organization.Level.TOWNSHIP else "办公室主任"
        else:
            role = {1: Membership.Role.LEADER, 2: Membership.Role.DEPUTY}.get(index, Membership.Role.MEMBER)
            position = spec.titles[index - 1] if index <= len(spec.titles) else FALLBACK_TITLE[spec.level]
        user = _person(f"{spec.key}{index:02d}", name, org, position)
        _seat(group, user, role)
    return group


def seed() -> dict:
    rng = random.Random(20261123)  # fixed: the same names every run
    taken: set[str] = set()

    province = _org("中共江北省委员会", "江北省委", PC, Organization.Level.PROVINCE)
    city = _org("中共临川市委员会", "临川市委", PC, Organization.Level.CITY, province)
    county = _org(COUNTY.name, COUNTY.short_name, COUNTY.kind, COUNTY.level, city)
    county_group = _populate(COUNTY, county, rng, taken)
    unit_groups = []
    for spec in COUNTY_UNITS:
        unit = _org(spec.name, spec.short_name, spec.kind, spec.level, county)
        unit_groups.append(_populate(spec, unit, rng, taken))

    sibling = _org(SIBLING.name, SIBLING.short_name, SIBLING.kind, SIBLING.level, city)
    _populate(SIBLING, sibling, rng, taken)
    for spec in SIBLING_UNITS:
        unit = _org(spec.name, spec.short_name, spec.kind, spec.level, sibling)
        _populate(spec, unit, rng, taken)

    # The fixed demo accounts later work and checks rely on.
    staff = _person("demo-staff", "宋佳宁", county, "县委宣传部理论教育科科长")
    _assign(staff, county, OrganizationAssignment.Role.STAFF)
    member = _person("demo-member", "周明远", county, "县委常委、宣传部部长")
    _seat(county_group, member, Membership.Role.MEMBER)
    leader = _person("demo-leader", "韩立新", county, "县委副书记")
    _assign(leader, county, OrganizationAssignment.Role.LEADER)
    _seat(county_group, leader, Membership.Role.DEPUTY)
    other = _person("demo-other-staff", "田雨桐", sibling, "白水县委宣传部理论教育科科长")
    _assign(other, sibling, OrganizationAssignment.Role.STAFF)
    _person("demo-admin", "系统管理员", None, "信息中心", superuser=True)
    # 三员分立: the three administrator roles, each at the province (they act on all of it), none
    # a superuser nor Django-admin staff. Two-factor backup codes: studygroup.audit.demo.
    for username, name, position, role in ADMINISTRATORS:
        _assign(_person(username, name, province, position), province, role)

    # Transferred from 河口镇 to the education bureau: the old membership ended, its records stay.
    moved = User.objects.get(username="qsedu05")
    hekou_group = unit_groups[7]
    _seat(hekou_group, moved, Membership.Role.MEMBER, started_on=date(2021, 6, 1), ended_on=date(2023, 12, 31))

    return {
        "county": county,
        "sibling": sibling,
        "county_group": county_group,
        "unit_groups": unit_groups,
        "accounts": [
            "demo-staff", "demo-member", "demo-leader", "demo-other-staff", "demo-admin",
            *(username for username, *_rest in ADMINISTRATORS),
        ],
    }

"""``manage.py seed_scale``: a province grown around the demo, the same every time."""

import pytest
from django.core.management import CommandError, call_command

from members.models import Organization, StudyGroup, User
from members.work import search
from members.work.models import MemberWork, SearchEntry
from sessions.models import Attendance, Meeting, Minutes
from studygroup.audit.models import AuditEntry
from studygroup.management.commands import seed_scale
from studygroup.tests.test_demo import every_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(seed_scale, "CHUNK", 12)  # several transactions, parents in earlier ones


def test_the_province_grows_to_n_groups_and_the_same_n_changes_nothing(demo, small_chunks):
    before = StudyGroup.objects.count()
    call_command("seed_scale", groups=35, texts=3)
    assert StudyGroup.objects.count() == before + 35
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    first = every_count()
    names = list(Organization.objects.values_list("path", "name"))

    call_command("seed_scale", groups=35, texts=3)
    assert every_count() == first

    call_command("seed_scale", groups=40, texts=3)
    assert StudyGroup.objects.count() == before + 40
    # The first 35 stay as they were; the new ones are the next places of the layout.
    assert list(Organization.objects.filter(path__in=[p for p, _ in names]).values_list("path", "name")) == names
    added = set(Organization.objects.exclude(path__in=[p for p, _ in names]).values_list("name", flat=True))
    assert added == {seed_scale.layout(index)["name"] for index in range(35, 40)}

    # The province's bulletin is issued and covers every group, the grown ones too.
    from reports.models import Bulletin

    bulletin = Bulletin.objects.get(organization__depth=1, year=seed_scale.YEAR)
    assert bulletin.status == Bulletin.Status.ISSUED
    covered = {row["group_id"] for row in bulletin.figures["rows"]}
    assert covered >= set(StudyGroup.objects.filter(organization__name__in=added).values_list("pk", flat=True))


def test_each_group_has_people_a_year_of_meetings_texts_and_audit_entries(demo, small_chunks):
    call_command("seed_scale", groups=32, texts=4)
    group = StudyGroup.objects.get(organization__name=seed_scale.layout(31)["name"])
    assert group.organization.level == "county"
    assert group.memberships.count() == seed_scale.MEMBERS_PER_GROUP
    assert Meeting.objects.filter(group=group).count() == 12
    held = Meeting.objects.filter(group=group).exclude(status="planned")
    assert Attendance.objects.filter(meeting__in=held).count() == held.count() * seed_scale.MEMBERS_PER_GROUP
    assert MemberWork.objects.filter(group=group).count() == 4
    assert AuditEntry.objects.filter(organization=group.organization).count() == seed_scale.AUDIT_PER_GROUP
    # Minutes written on the meeting's day are not 补记.
    assert not any(m.is_backfilled for m in Minutes.objects.filter(meeting__group=group))


def test_the_search_index_is_the_one_the_project_writes(demo):
    call_command("seed_scale", groups=2, texts=3)
    work = MemberWork.objects.filter(author__username__startswith="sc").first()
    entry = SearchEntry.objects.get(object_id=work.pk, content_type__model="memberwork")
    expected = search.index_work(work)  # rewrites the entry the way the app does
    assert entry.bigrams == expected.bigrams
    minutes = Minutes.objects.filter(meeting__group__organization__name=seed_scale.layout(0)["name"]).first()
    entry = SearchEntry.objects.get(object_id=minutes.pk, content_type__model="minutes")
    assert entry.bigrams == search.index_minutes(minutes).bigrams
    assert work.title in [hit.title for hit in search.search(User.objects.get(username="demo-province-staff"), work.title)]


def test_province_staff_see_the_whole_province_and_county_staff_their_county(demo):
    call_command("seed_scale", groups=40, texts=1)
    province_staff = User.objects.get(username="demo-province-staff")
    assert StudyGroup.objects.visible_to(province_staff).count() == StudyGroup.objects.count()
    county_staff = User.objects.get(username="sc31-staff")  # the first generated county
    county = Organization.objects.get(name=seed_scale.layout(31)["name"])
    assert set(StudyGroup.objects.visible_to(county_staff).values_list("organization__path", flat=True)) == set(
        Organization.objects.filter(path__startswith=county.path).values_list("path", flat=True)
    )
    assert User.objects.get(username="sc0-01").check_password("Demo@2026study")


def test_it_refuses_a_database_with_more_than_the_demo(demo):
    User.objects.create_user(username="real-person", password="Another#Password1", name="张三")
    with pytest.raises(CommandError, match="only runs on a demo database"):
        call_command("seed_scale", groups=2)
    assert not User.objects.filter(username__startswith="sc0-").exists()


def test_it_refuses_an_organisation_outside_the_demo_province(demo):
    Organization.objects.add_root({"name": "中共某省委员会", "kind": "party_committee", "level": "province"})
    with pytest.raises(CommandError, match="only runs on a demo database"):
        call_command("seed_scale", groups=2)


def test_it_asks_for_the_demo_first(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", groups=2)

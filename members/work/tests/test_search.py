"""Bigram full-text search: two-character Chinese words, mixed Chinese and digits, scope; run
on SQLite and on PostgreSQL (DATABASE_URL) with the same expectations."""

import pytest
from django.db import connection

from members.work import search, services
from members.work.models import SearchEntry, WorkKind
from members.work.tests.factories import WorkMeetingFactory


def test_tokens_are_bigrams_and_latin_runs():
    assert search.tokens("2024年青山县") == ["2024", "2024年", "年青", "青山", "山县"]
    assert search.tokens("5G基站，建设") == ["5g", "5g基", "基站", "建设"]
    assert search.tokens("Party building 党建") == ["party", "building", "党建"]
    assert search.query_tokens("党") == ["党"]
    assert search.query_tokens("  ，。 ") == []


@pytest.fixture
def texts(world):
    meeting = WorkMeetingFactory(group=world.groups.bureau, title="专题学习会")

    def write(by, title, body, group=None, submit=True):
        group = group or world.groups.bureau
        work = services.work_create(
            by=by, kind=WorkKind.NOTE, group=group, title=title, body=body,
            meeting=meeting if group == world.groups.bureau else None,
        )
        return services.work_submit(work=work, by=by) if submit else work

    return {
        "digits": write(world.member, "学习笔记一", "深入学习贯彻党的二十大精神，落实“十四五”规划和2035年远景目标。"),
        "tech": write(world.member, "数字乡村", "推进5G基站建设和数字乡村发展。"),
        "draft": write(world.member, "草稿笔记", "乡村振兴的草稿，尚未提交。", submit=False),
        "other": write(world.other_member, "他人笔记", "乡村振兴要抓好产业。"),
        "township": write(world.township_member, "镇里的笔记", "乡村振兴的镇级实践。", group=world.groups.township),
        "meeting": meeting,
    }


def _titles(user, query):
    return sorted(hit.title for hit in search.search(user, query))


@pytest.mark.django_db
def test_two_character_words_are_found(world, texts):
    assert _titles(world.member, "学习") == ["学习笔记一"]
    assert _titles(world.member, "乡村") == ["数字乡村", "草稿笔记"]  # own draft included, others' not
    assert _titles(world.member, "乡村振兴") == ["草稿笔记"]


@pytest.mark.django_db
def test_mixed_chinese_and_digits_are_found(world, texts):
    assert _titles(world.member, "2035年") == ["学习笔记一"]
    assert _titles(world.member, "十四五") == ["学习笔记一"]
    assert _titles(world.member, "5G基站") == ["数字乡村"]
    assert _titles(world.member, "二十大") == ["学习笔记一"]
    assert _titles(world.member, "2036年") == []


@pytest.mark.django_db
def test_words_must_all_be_present_in_any_order(world, texts):
    assert _titles(world.member, "规划 学习") == ["学习笔记一"]
    assert _titles(world.member, "规划 基站") == []


@pytest.mark.django_db
def test_results_respect_scope(world, texts):
    # Staff of the county review both bureau members' submitted work and the township's; not drafts.
    assert _titles(world.staff, "乡村振兴") == ["他人笔记", "镇里的笔记"]
    assert _titles(world.sibling_staff, "乡村") == []
    assert _titles(world.other_member, "乡村振兴") == ["他人笔记"]


@pytest.mark.django_db
def test_meeting_minutes_are_searched(world, texts):
    from sessions.models import Minutes

    Minutes.objects.create(meeting=texts["meeting"], text="会上传达学习了全会精神，研究部署主题教育。", entered_by=world.staff)
    hits = search.search(world.member, "主题教育")
    assert [h.title for h in hits] == ["专题学习会"]
    assert "<mark>主题教育</mark>" in hits[0].snippet
    assert search.search(world.sibling_staff, "主题教育") == []


@pytest.mark.django_db
def test_one_character_query_still_finds(world, texts):
    assert "数字乡村" in _titles(world.member, "站")


@pytest.mark.django_db
def test_the_index_follows_edits(world, texts):
    work = services.work_update(work=texts["draft"], by=world.member, body="改写后的内容：生态保护。")
    assert _titles(world.member, "生态") == ["草稿笔记"]
    assert _titles(world.member, "草稿") == ["草稿笔记"]  # title still indexed
    assert SearchEntry.objects.filter(object_id=work.pk).count() == 1


@pytest.mark.django_db
def test_postgresql_uses_the_gin_index_expression(world, texts):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    sql = str(search.matching_entries("乡村").query)
    assert "array_to_tsvector" in sql
    assert "@@" in sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'work_searchentry_bigrams_gin'"
        )
        assert "gin" in cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("few_groups", [500, 0], ids=["groups-by-id", "groups-by-subquery"])
def test_the_newest_matches_of_the_users_groups_are_shown(world, texts, monkeypatch, few_groups):
    """Only the newest CANDIDATES matching entries of the groups the user sees are read: a county's
    staff still find their county's work when the rest of the province wrote more since, and
    nobody gets the newer texts of groups they do not see. Both ways of naming the groups (ids for
    a county, a subquery for a province) give the same."""
    monkeypatch.setattr(search, "FEW_GROUPS", few_groups)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    for number in range(5):  # newer, in another county
        services.work_submit(work=services.work_create(
            by=world.sibling_member, kind=WorkKind.NOTE, group=world.groups.sibling_bureau,
            title=f"白水笔记{number}", body="乡村振兴的白水实践。",
        ), by=world.sibling_member)
    assert _titles(world.staff, "乡村振兴") == ["他人笔记", "镇里的笔记"]
    assert _titles(world.sibling_staff, "乡村振兴") == ["白水笔记2", "白水笔记3", "白水笔记4"]  # the newest three


@pytest.mark.django_db
def test_the_author_still_finds_their_own_work_after_leaving_the_group(world, texts):
    from members.models import Membership
    from members.services import membership_end

    membership_end(by=world.staff, membership=Membership.objects.get(user=world.member, group=world.groups.bureau))
    assert "草稿笔记" in _titles(world.member, "乡村振兴")

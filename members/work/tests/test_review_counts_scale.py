"""Cards that stay short however many groups wait for review (a province's staff review thousands)."""

import pytest
from django.urls import reverse

from members.work import selectors, services
from members.work.models import WorkKind

pytestmark = pytest.mark.django_db


def _submit(by, group, title):
    work = services.work_create(by=by, kind=WorkKind.NOTE, group=group, title=title, body="正文")
    return services.work_submit(work=work, by=by)


@pytest.fixture
def waiting(world):
    _submit(world.member, world.groups.bureau, "笔记一")
    _submit(world.other_member, world.groups.bureau, "笔记二")
    _submit(world.township_member, world.groups.township, "镇笔记")


def test_the_home_card_names_the_busiest_groups_and_counts_the_rest(world, waiting, client, monkeypatch):
    monkeypatch.setattr(selectors, "HOME_REVIEW_GROUPS", 1)
    card = selectors.home_work(world.staff)
    assert [(row["group__name"], row["waiting"]) for row in card["to_review"]] == [(world.groups.bureau.name, 2)]
    assert card["review_more_groups"] == 1
    assert card["review_total"] == 3
    client.force_login(world.staff)
    page = client.get(reverse("home")).content.decode()
    assert "另有1个中心组，共3篇待审核" in page


def test_with_few_groups_the_card_lists_them_all(world, waiting):
    card = selectors.home_work(world.staff)
    assert sorted(row["waiting"] for row in card["to_review"]) == [1, 2]
    assert card["review_more_groups"] == 0
    assert card["review_total"] == 3


def test_my_work_links_to_all_waiting_work_when_the_list_is_cut(world, waiting, client, monkeypatch):
    from members.work import views

    monkeypatch.setattr(views, "MY_WORK_REVIEW_GROUPS", 1)
    client.force_login(world.staff)
    page = client.get(reverse("work:my-work")).content.decode()
    assert "全部待审核材料" in page
    assert f"{reverse('work:work-list')}?status=submitted" in page


def test_the_card_takes_the_same_queries_however_many_groups_wait(world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(selectors, "HOME_REVIEW_GROUPS", 2)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            selectors.home_work(world.staff)
        return len(captured)

    _submit(world.member, world.groups.bureau, "笔记一")
    one_group = queries()
    _submit(world.township_member, world.groups.township, "镇笔记")  # the card is full
    assert queries() == one_group

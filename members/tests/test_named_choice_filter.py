"""Choices that stay small at any scale: a select for a county's few groups, a box to type part of
a name for a province's thousands (``members.filters.NamedChoiceFilter``)."""

import pytest
from django.urls import reverse

from members.filters import NamedChoiceFilter

pytestmark = pytest.mark.django_db


def _names(response):
    return sorted(person.name for person in response.context["object_list"])


def test_few_groups_are_a_select(world, client):
    client.force_login(world.staff)
    response = client.get(reverse("members:person-list"), {"group": world.groups.bureau.pk})
    assert '<select name="group"' in response.content.decode()
    assert _names(response) == ["教育局副局长", "教育局局长"]


def test_many_groups_are_a_box_to_type_part_of_the_name(world, client, monkeypatch):
    monkeypatch.setattr(NamedChoiceFilter, "SHOWN", 2)  # the staff see three groups
    client.force_login(world.staff)
    page = client.get(reverse("members:person-list")).content.decode()
    assert '<select name="group"' not in page
    assert 'name="group"' in page
    assert "输入名称中的字" in page

    assert _names(client.get(reverse("members:person-list"), {"group": "教育局"})) == ["教育局副局长", "教育局局长"]
    # The id a link carries still works; another county's group gives nobody.
    assert _names(client.get(reverse("members:person-list"), {"group": str(world.groups.township.pk)})) == ["镇党委书记"]
    assert _names(client.get(reverse("members:person-list"), {"group": str(world.groups.sibling_bureau.pk)})) == []
    assert _names(client.get(reverse("members:person-list"), {"group": "白水"})) == []


def test_the_box_keeps_what_was_typed_and_refuses_too_long_a_name(world, client, monkeypatch):
    monkeypatch.setattr(NamedChoiceFilter, "SHOWN", 2)
    client.force_login(world.staff)
    page = client.get(reverse("members:person-list"), {"group": "城关"}).content.decode()
    assert 'value="城关"' in page
    response = client.get(reverse("members:person-list"), {"group": "长" * 60})
    assert response.status_code == 200
    assert "长" * 60 in response.content.decode()


def test_work_list_topics_by_title_when_many(world, client, monkeypatch):
    from members.work import services
    from members.work.models import WorkKind
    from plans.tests.factories import AnnualPlanFactory, TopicFactory

    plan = AnnualPlanFactory(group=world.groups.bureau, year=2026)
    topic = TopicFactory(plan=plan, title="乡村振兴专题")
    other = TopicFactory(plan=plan, title="党风廉政专题")
    for title, chosen in (("振兴笔记", topic), ("廉政笔记", other)):
        work = services.work_create(by=world.member, kind=WorkKind.NOTE, group=world.groups.bureau, title=title,
                                    body="正文", topic=chosen)
        services.work_submit(work=work, by=world.member)
    monkeypatch.setattr(NamedChoiceFilter, "SHOWN", 1)
    client.force_login(world.staff)
    response = client.get(reverse("work:work-list"), {"topic": "振兴"})
    assert [w.title for w in response.context["object_list"]] == ["振兴笔记"]


def test_a_digit_that_is_not_a_number_is_a_name(world, client, monkeypatch):
    monkeypatch.setattr(NamedChoiceFilter, "SHOWN", 2)
    client.force_login(world.staff)
    response = client.get(reverse("members:person-list"), {"group": "²"})
    assert response.status_code == 200
    assert _names(response) == []

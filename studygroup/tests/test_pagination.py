"""Long lists are paged without counting every row: past the cap the page says "more than"."""

import pytest
from django.core.paginator import EmptyPage

from members.models import Organization
from members.tests.factories import OrganizationFactory
from members.work.tests.factories import MemberWorkFactory
from studygroup.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


class SmallCap(CappedPaginator):
    count_cap = 4


def test_a_list_shorter_than_the_cap_is_counted_and_paged_as_usual():
    for number in range(3):
        OrganizationFactory(name=f"单位{number}")
    paginator = SmallCap(Organization.objects.order_by("pk"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, False, 2)
    assert len(paginator.page(2).object_list) == 1


def test_a_longer_list_stops_counting_at_the_cap_and_offers_its_first_pages(django_assert_num_queries):
    for number in range(9):
        OrganizationFactory(name=f"单位{number}")
    paginator = SmallCap(Organization.objects.order_by("-pk"), 2)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 5  # the cap and one: the database stopped there
    assert "LIMIT 5" in captured.captured_queries[0]["sql"]
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]
    assert paginator.capped
    assert paginator.num_pages == 2
    assert [row.name for row in paginator.page(1)] == ["单位8", "单位7"]
    with pytest.raises(EmptyPage):
        paginator.page(3)
    assert paginator.get_page(99).number == 2


def test_the_work_list_says_more_than_the_cap_and_keeps_the_filters_in_its_links(world, client, monkeypatch):
    from members.work.views import WorkList

    monkeypatch.setattr(CappedPaginator, "count_cap", 2)
    monkeypatch.setattr(WorkList, "paginate_by", 1)
    for number in range(4):
        MemberWorkFactory(group=world.groups.bureau, author=world.member, title=f"心得{number}")
    client.force_login(world.member)
    page = client.get("/work/", {"q": "心得", "page": "2"}).content.decode()
    assert "超过 2 条 · 第 2 页（只列前 2 页，请用筛选缩小范围）" in page
    assert "心得2" in page  # newest first: the second of the four
    assert "q=%E5%BF%83%E5%BE%97&amp;page=1" in page

"""Every page of plans costs the same number of queries with one topic (or plan, proposal,
group) as with many: reads go through annotated, prefetched selectors."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services
from plans.models import AnnualPlan
from plans.tests.factories import (
    THIS_YEAR,
    ProposalCallFactory,
    ScheduleEntryFactory,
    TopicFactory,
    TopicProposalFactory,
    plan_with_topics,
)

pytestmark = pytest.mark.django_db
Status = AnnualPlan.Status


def build(world):
    published = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=1, months=(3, 5))
    published.topics.first().lead_members.add(world.member)
    revision = services.plan_revise(plan=published, by=world.staff, note="调整")
    county = plan_with_topics(world.groups.county, status=Status.PUBLISHED, n=1)
    cascade = services.cascade_create(topic=county.topics.first(), month=5, by=world.staff)
    services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.staff)
    call = ProposalCallFactory(group=world.groups.bureau)
    TopicProposalFactory(call=call, proposed_by=world.other_member)
    submitted = plan_with_topics(world.groups.bureau, status=Status.SUBMITTED, n=1, year=THIS_YEAR + 1)
    return SimpleNamespace(published=published, revision=revision, county=county, cascade=cascade,
                           call=call, submitted=submitted)


def grow(world, objs):
    """Many more topics, schedule rows, leads, plans, proposals, cascades and uptakes."""
    for plan in (objs.published, objs.revision, objs.county):
        for i in range(12):
            topic = TopicFactory(plan=plan, position=10 + i)
            topic.lead_members.add(world.member, world.other_member)
            ScheduleEntryFactory(plan=plan, topic=topic, month=i % 12 + 1, lead=world.member)
            ScheduleEntryFactory(plan=plan, topic=topic, month=(i + 5) % 12 + 1)
    for k in range(1, 5):
        plan_with_topics(world.groups.bureau, year=THIS_YEAR - k, n=3, status=Status.PUBLISHED)
        plan_with_topics(world.groups.bureau, year=THIS_YEAR + 1 + k, n=3, status=Status.SUBMITTED)
        plan_with_topics(world.groups.township, year=THIS_YEAR - k, n=3)
    for _ in range(6):
        TopicProposalFactory(call=objs.call, proposed_by=world.other_member)
    ProposalCallFactory(group=world.groups.bureau, year=THIS_YEAR + 2)
    for topic in objs.county.topics.all()[1:6]:
        cascade = services.cascade_create(topic=topic, month=6, by=world.staff)
        services.cascade_adopt(cascade=cascade, group=world.groups.township, by=world.staff)
    services.cascade_adopt(cascade=objs.cascade, group=world.groups.township, by=world.staff)


MEMBER_PAGES = {
    "plans:plan-approve": lambda w, o: {"pk": o.submitted.pk},
}
PAGES = {
    "plans:plan-list": lambda w, o: {},
    "plans:plan-detail": lambda w, o: {"pk": o.published.pk},
    "plans:plan-print": lambda w, o: {"pk": o.published.pk},
    "plans:plan-docx": lambda w, o: {"pk": o.published.pk},
    "plans:schedule-xlsx": lambda w, o: {"pk": o.published.pk},
    "plans:plan-update": lambda w, o: {"pk": o.revision.pk},
    "plans:schedule-update": lambda w, o: {"pk": o.revision.pk},
    "plans:plan-changes": lambda w, o: {"pk": o.revision.pk},
    "plans:cascade-create": lambda w, o: {"pk": o.county.pk},
    "plans:cascade-list": lambda w, o: {},
    "plans:cascade-uptake": lambda w, o: {"pk": o.cascade.pk},
    "plans:cascade-adopt": lambda w, o: {"pk": o.cascade.pk},
    "plans:proposal-call-list": lambda w, o: {},
    "plans:proposal-call-detail": lambda w, o: {"pk": o.call.pk},
    "plans:monthly-plan": lambda w, o: {"pk": w.groups.bureau.pk, "year": THIS_YEAR, "month": 5},
    "plans:monthly-plan-print": lambda w, o: {"pk": w.groups.bureau.pk, "year": THIS_YEAR, "month": 5},
    "home": lambda w, o: {},
    "members:group-detail": lambda w, o: {"pk": w.groups.bureau.pk},
}


def count(client, url):
    client.get(url)  # warm: sessions, content types, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_query_count_does_not_grow(name, world, client, django_assert_num_queries):
    objs = build(world)
    client.force_login(world.staff)
    url = reverse(name, kwargs=PAGES[name](world, objs) or None)
    few = count(client, url)
    grow(world, objs)
    client.get(url)
    with django_assert_num_queries(few):
        client.get(url)


@pytest.mark.parametrize(
    "name", ["plans:plan-list", "plans:plan-detail", "home", "plans:monthly-plan", "plans:plan-approve"]
)
def test_member_page_query_count_does_not_grow(name, world, client, django_assert_num_queries):
    """The bureau group's 组长 (``member``) sees published plans and approves submitted ones."""
    objs = build(world)
    client.force_login(world.member)
    url = reverse(name, kwargs={**PAGES, **MEMBER_PAGES}[name](world, objs) or None)
    few = count(client, url)
    grow(world, objs)
    client.get(url)
    with django_assert_num_queries(few):
        client.get(url)

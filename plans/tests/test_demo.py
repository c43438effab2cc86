import pytest
from django.core.management import call_command

from plans.models import AnnualPlan, CascadedTopic, ProposalCall, Topic, TopicProposal
from plans.selectors import cascade_uptake

pytestmark = pytest.mark.django_db


def _snapshot():
    return [
        (model.__name__, model.objects.count(), model.history.count())
        for model in (AnnualPlan, Topic, CascadedTopic, ProposalCall, TopicProposal)
    ]


def test_seed_demo_adds_plans_and_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    county = AnnualPlan.objects.get(group__organization__name="中共青山县委员会")
    assert county.status == AnnualPlan.Status.PUBLISHED
    assert county.topics.count() == 17
    assert county.topics.last().label == "第十七专题"
    assert county.schedule.count() >= 17
    statuses = set(AnnualPlan.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "approved", "published"} <= statuses
    rows = cascade_uptake(CascadedTopic.objects.get())
    taken = [r for r in rows if r["adopted_at"]]
    assert 0 < len(taken) < len(rows)
    before = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == before

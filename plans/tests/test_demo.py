import pytest

from plans.models import AnnualPlan, CascadedTopic
from plans.selectors import cascade_uptake

pytestmark = pytest.mark.django_db


def check_demo_plans():
    """From the full seed (studygroup/tests/test_demo.py): the county's plan and the cascade."""
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

"""The one way to change state (studygroup.transitions), on members' own work."""

import pytest
from django.core.exceptions import ValidationError

from members.work.models import MemberWork, WorkStatus


def test_the_table_says_which_moves_each_status_opens():
    work = MemberWork(status=WorkStatus.DRAFT)
    assert MemberWork.transitions.open(work) == ["edit", "submit", "withdraw", "add_visit"]
    work.status = WorkStatus.SUBMITTED
    assert MemberWork.transitions.open(work) == ["accept", "return", "withdraw", "add_visit"]
    work.status = WorkStatus.ACCEPTED
    assert MemberWork.transitions.open(work) == []


def test_a_move_sets_the_target_and_returns_the_status_it_left():
    work = MemberWork(status=WorkStatus.RETURNED)
    assert MemberWork.transitions.apply(work, "submit") == WorkStatus.RETURNED
    assert work.status == WorkStatus.SUBMITTED


def test_a_move_without_a_target_leaves_the_status():
    work = MemberWork(status=WorkStatus.DRAFT)
    MemberWork.transitions.apply(work, "edit")
    assert work.status == WorkStatus.DRAFT


def test_a_refused_move_says_why_in_chinese_and_changes_nothing():
    work = MemberWork(status=WorkStatus.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        MemberWork.transitions.apply(work, "withdraw")
    assert refused.value.messages == ["审核通过的材料不能撤回。"]
    assert refused.value.code == "invalid_status"
    assert work.status == WorkStatus.ACCEPTED

"""The reports app's permissions (reports/rules.py)."""

from reports.tests.permission_objects import objects


def test_submit_review_is_the_group_staff_on_a_draft(world):
    reports = objects(world)
    assert world.staff.has_perm("reports.submit_review", reports.draft)
    assert not world.staff.has_perm("reports.submit_review", reports.submitted)
    assert not world.leader.has_perm("reports.submit_review", reports.draft)


def test_mark_review_read_is_the_supervising_reader_on_a_submitted_review(world):
    reports = objects(world)
    assert world.leader.has_perm("reports.mark_review_read", reports.submitted)
    assert not world.leader.has_perm("reports.mark_review_read", reports.draft)
    assert not world.member.has_perm("reports.mark_review_read", reports.submitted)


def test_issue_bulletin_only_while_draft(world):
    reports = objects(world)
    assert world.staff.has_perm("reports.issue_bulletin", reports.draft_bulletin)
    assert not world.staff.has_perm("reports.issue_bulletin", reports.issued)
    assert not world.sibling_staff.has_perm("reports.issue_bulletin", reports.draft_bulletin)


def test_item_steps_follow_status_and_side(world):
    reports = objects(world)
    item = reports.item
    assert world.staff.has_perm("reports.start_item", item)
    assert not world.staff.has_perm("reports.confirm_item", item), "not reported yet"
    item.status = "reported"
    assert world.staff.has_perm("reports.confirm_item", item)
    assert not world.leader.has_perm("reports.confirm_item", item)


def test_comment_account_is_the_supervising_leader(world):
    reports = objects(world)
    assert world.leader.has_perm("reports.comment_account", reports.account)
    assert not world.staff.has_perm("reports.comment_account", reports.account)
    assert world.member.has_perm("reports.submit_account", reports.draft_account), "the 组长 writes it"

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import selectors, services
from reports.models import Bulletin, HalfYearReview, Period, RectificationItem, StudyAccount
from reports.tests.factories import YEAR, meeting, records_2025_h1

pytestmark = pytest.mark.django_db


def _review(world):
    records_2025_h1(world)
    return services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)


def test_review_is_created_with_a_draft_from_the_figures(world):
    review = _review(world)
    assert review.status == HalfYearReview.Status.DRAFT
    assert review.figures is None
    assert "3" in review.good_practices
    assert "习近平法治思想" in review.problems
    assert review.history.first().history_user == world.staff


def test_review_submission_freezes_the_figures(world):
    review = services.review_submit(review=_review(world), by=world.staff)
    assert review.status == HalfYearReview.Status.SUBMITTED
    assert review.submitted_to == world.county
    assert review.figures["figures"]["meetings"] == 3
    version = review.version
    # A later meeting changes the live figures, not the submitted document.
    meeting(world.groups.bureau, date(YEAR, 6, 10), kind="discussion")
    review.refresh_from_db()
    assert review.figures["figures"]["meetings"] == 3
    assert review.version == version
    live = selectors.figures_for_group(world.groups.bureau, year=YEAR, period=Period.FIRST_HALF)
    changes = {str(c["label"]): (c["before"], c["now"]) for c in selectors.changes_since(review.figures["figures"], live)}
    assert changes[str(selectors.FIGURE_LABELS["meetings"].label)] == (3, 4)
    with pytest.raises(ValidationError):
        services.review_update(review=review, by=world.staff, title="x", good_practices="x", problems="x", next_plan="x")


def test_review_transitions_and_who_may_take_them(world):
    review = _review(world)
    with pytest.raises(PermissionDenied):
        services.review_submit(review=review, by=world.member)
    with pytest.raises(PermissionDenied):  # not submitted yet: nothing to read
        services.review_mark_read(review=review, by=world.leader, comment="好")
    review = services.review_submit(review=review, by=world.staff)
    with pytest.raises(ValidationError):
        services.review_submit(review=review, by=world.staff)
    with pytest.raises(PermissionDenied):
        services.review_mark_read(review=review, by=world.sibling_staff, comment="")
    returned = services.review_return(review=review, by=world.leader, comment="请补充问题原因")
    assert returned.status == HalfYearReview.Status.DRAFT
    assert returned.figures is None
    review = services.review_submit(review=returned, by=world.staff)
    review = services.review_mark_read(review=review, by=world.leader, comment="总结扎实")
    assert review.status == HalfYearReview.Status.READ
    assert review.read_by == world.leader
    with pytest.raises(ValidationError):
        services.review_mark_read(review=review, by=world.leader, comment="again")


def test_bulletin_issue_freezes_rows_and_ranking(world):
    records_2025_h1(world)
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    with pytest.raises(PermissionDenied):
        services.bulletin_issue(bulletin=bulletin, by=world.sibling_staff)
    bulletin = services.bulletin_issue(bulletin=bulletin, by=world.staff)
    rows = {r["group_id"]: r for r in bulletin.figures["rows"]}
    assert set(rows) == {world.groups.bureau.pk, world.groups.township.pk}
    assert rows[world.groups.bureau.pk]["rank"] == 1
    assert rows[world.groups.township.pk]["figures"]["behind"] == ["no_plan"]
    assert rows[world.groups.township.pk]["figures"]["meetings"] == 1
    meeting(world.groups.township, date(YEAR, 5, 5))  # after the issue
    bulletin.refresh_from_db()
    assert {r["group_id"]: r["figures"]["meetings"] for r in bulletin.figures["rows"]}[world.groups.township.pk] == 1
    with pytest.raises(ValidationError):
        services.bulletin_update(bulletin=bulletin, by=world.staff, title="改")


def test_bulletin_visibility_draft_and_issued(world):
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    assert not Bulletin.objects.visible_to(world.member).exists()
    assert Bulletin.objects.visible_to(world.leader).exists()
    services.bulletin_issue(bulletin=bulletin, by=world.staff)
    assert Bulletin.objects.visible_to(world.member).exists()
    assert not Bulletin.objects.visible_to(world.sibling_staff).exists()
    assert not Bulletin.objects.visible_to(world.sibling_member).exists()


def test_rectification_item_goes_through_follow_up(world):
    data = records_2025_h1(world)
    item = services.item_create(inspection=data["inspection"], finding="学习记录不全", measures="补齐记录", deadline=date(2099, 1, 1), owner=world.member, by=world.staff)
    with pytest.raises(PermissionDenied):  # the inspected group reports, the inspector confirms
        services.item_transition(item=item, action="start", by=world.member)
    with pytest.raises(ValidationError):
        services.item_transition(item=item, action="confirm", by=world.staff)
    item = services.item_transition(item=item, action="start", note="已部署", by=world.staff)
    with pytest.raises(ValidationError):
        services.item_transition(item=item, action="report", note="", by=world.staff) if not item.progress else (_ for _ in ()).throw(ValidationError("x"))
    item = services.item_transition(item=item, action="report", note="已补齐", by=world.staff)
    assert item.status == RectificationItem.Status.REPORTED
    assert item.reported_by == world.staff
    with pytest.raises(ValidationError):
        services.item_transition(item=item, action="reopen", note="", by=world.staff)
    item = services.item_transition(item=item, action="reopen", note="记录仍缺签名", by=world.staff)
    assert item.status == RectificationItem.Status.REOPENED
    assert item.reopened_count == 1
    item = services.item_transition(item=item, action="report", note="已补签", by=world.staff)
    item = services.item_transition(item=item, action="confirm", note="回头看：已整改到位", by=world.staff)
    assert item.status == RectificationItem.Status.CONFIRMED
    assert item.checked_by == world.staff
    assert [h.status for h in item.history.order_by("history_date")][-1] == "confirmed"


def test_observation_point_becomes_a_rectification_item(world):
    data = records_2025_h1(world)
    point = data["observation"].points.get()
    item = services.item_from_observation_point(point=point, deadline=date(2099, 1, 1), measures="深化研讨", owner=None, by=world.staff)
    assert item.group == world.groups.bureau
    assert item.finding == point.text
    assert item.inspection is None
    with pytest.raises(ValidationError):
        services.item_from_observation_point(point=point, deadline=date(2099, 1, 1), measures="", owner=None, by=world.staff)
    assert not selectors.observation_points_trackable_by(world.staff).exists()


def test_study_account_submitted_with_figures_and_commented(world):
    from members.models import Membership

    records_2025_h1(world)
    # world.member is the bureau group's 组长 (leader): they may write the 述学.
    assert world.member.memberships.get().role == Membership.Role.LEADER
    account = services.account_create(group=world.groups.bureau, year=YEAR, by=world.member)
    with pytest.raises(PermissionDenied):
        services.account_create(group=world.groups.township, year=YEAR, by=world.member)
    with pytest.raises(ValidationError):
        services.account_submit(account=account, by=world.member)
    account = services.account_update(account=account, by=world.member, title=account.title, text="一年来，我们坚持……")
    account = services.account_submit(account=account, by=world.member)
    assert account.figures["meetings"] == 4
    assert account.submitted_to == world.county
    with pytest.raises(PermissionDenied):  # staff do not comment; the supervising leader does
        services.account_comment(account=account, by=world.staff, comment="好")
    account = services.account_comment(account=account, by=world.leader, comment="学习扎实，继续深化")
    assert account.status == StudyAccount.Status.COMMENTED
    assert account.commented_by == world.leader

"""Who may do what to members' own work (see members/rules.py for the conventions)."""

import rules

from members import scoping
from members.rules import imported_by_self, in_user_scope, signed_in
from members.work.models import MemberWork, WorkKind
from studygroup.permissions import remembered

# --- members' own work (心得体会, 笔记, 调研报告, 文章, 宣讲) -----------------------------------


@rules.predicate
def is_author(user, work) -> bool:
    return isinstance(work, MemberWork) and signed_in(user) and work.author_id == user.pk


@rules.predicate
def work_is_editable(_user, work) -> bool:
    return MemberWork.transitions.allows(work, "edit")


@rules.predicate
def work_is_submitted(_user, work) -> bool:
    return MemberWork.transitions.allows(work, "accept")


@rules.predicate
def work_is_withdrawable(_user, work) -> bool:
    return MemberWork.transitions.allows(work, "withdraw")


@rules.predicate
def work_is_open_research(_user, work) -> bool:
    return work.kind == WorkKind.RESEARCH and MemberWork.transitions.allows(work, "add_visit")


@rules.predicate
def reviews_work_group(user, work) -> bool:
    """A reviewer of the work's group (its secretary or managing staff); never the author."""
    return isinstance(work, MemberWork) and in_user_scope(scoping.reviewable_groups, user, work.group_id)


@rules.predicate
def reviews_group(user, group) -> bool:
    return group is not None and in_user_scope(scoping.reviewable_groups, user, group.pk)


@rules.predicate
def member_of_some_group(user) -> bool:
    return signed_in(user) and remembered(("member_of_some_group", user.pk), scoping.member_groups(user).exists)


@rules.predicate
def reads_group_organization(user, group) -> bool:
    return group is not None and in_user_scope(scoping.read_organizations, user, group.organization_id)


rules.add_perm("work.add_work", member_of_some_group)
# The author's own work (pages and services; the status then gives a message, not a 403).
rules.add_perm("work.own_work", is_author)
rules.add_perm("work.change_work", is_author & work_is_editable)
rules.add_perm("work.submit_work", is_author & work_is_editable)
rules.add_perm("work.withdraw_work", is_author & work_is_withdrawable)
rules.add_perm("work.add_field_visit", is_author & work_is_open_research)
# The review page and the service: a reviewer of the group who is not the author.
rules.add_perm("work.review_work", ~is_author & reviews_work_group)
# The buttons: and the work is waiting for review.
rules.add_perm("work.accept_work", work_is_submitted & ~is_author & reviews_work_group)
rules.add_perm("work.see_similarity", ~is_author & reviews_work_group)
rules.add_perm("work.review_group_work", reviews_group)
rules.add_perm("work.export_group_work", reviews_group | reads_group_organization)




# --- online-platform study (学习强国, 干部网络学院) ---------------------------------------------


@rules.predicate
def manages_some_group(user) -> bool:
    return signed_in(user) and scoping.managed_groups(user).exists()


@rules.predicate
def online_import_awaits_confirmation(_user, online_import) -> bool:
    return online_import is not None and online_import.status == "previewed"


# Staff import what the platforms export (members never type it); an import is its importer's.
rules.add_perm("work.import_online_study", manages_some_group)
rules.add_perm("work.view_online_study_import", imported_by_self)
rules.add_perm("work.apply_online_study_import", online_import_awaits_confirmation & imported_by_self & manages_some_group)


# --- a member's study record (个人学习档案) -------------------------------------------------------


@rules.predicate
def is_the_person(user, person) -> bool:
    return person is not None and signed_in(user) and person.pk == user.pk


@rules.predicate
def manages_the_person(user, person) -> bool:
    return person is not None and in_user_scope(scoping.managed_people, user, person.pk)


@rules.predicate
def manages_the_group(user, group) -> bool:
    return group is not None and in_user_scope(scoping.managed_groups, user, group.pk)


# The member and the staff who manage them (who export it for the annual evaluation, 年度考核).
rules.add_perm("work.view_study_record", is_the_person | manages_the_person)
rules.add_perm("work.export_study_records", manages_the_group)


# --- theory tests (考学) --------------------------------------------------------------------------


@rules.predicate
def manages_organization(user, organization) -> bool:
    return organization is not None and in_user_scope(scoping.managed_organizations, user, organization.pk)


@rules.predicate
def manages_test(user, test) -> bool:
    return test is not None and in_user_scope(scoping.managed_organizations, user, test.organization_id)


@rules.predicate
def test_is_draft(_user, test) -> bool:
    from members.work.models import TheoryTest

    return test is not None and TheoryTest.transitions.allows(test, "edit")


@rules.predicate
def test_is_published(_user, test) -> bool:
    return test is not None and test.status == "published"


@rules.predicate
def test_is_open_now(_user, test) -> bool:
    return test is not None and test.is_open()


@rules.predicate
def sits_the_test(user, test) -> bool:
    if test is None or not signed_in(user):
        return False
    member_of = set(scoping.member_groups(user).values_list("pk", flat=True))
    return any(group.pk in member_of for group in test.groups.all())


@rules.predicate
def manages_attempts_test(user, attempt) -> bool:
    return attempt is not None and in_user_scope(scoping.managed_organizations, user, attempt.test.organization_id)


@rules.predicate
def own_attempt(user, attempt) -> bool:
    return attempt is not None and signed_in(user) and attempt.person_id == user.pk


rules.add_perm("work.manage_question_bank", manages_organization)
rules.add_perm("work.add_theory_test", manages_organization)
rules.add_perm("work.change_theory_test", test_is_draft & manages_test)
rules.add_perm("work.publish_theory_test", test_is_draft & manages_test)
rules.add_perm("work.change_theory_test_status", test_is_published & manages_test)
rules.add_perm("work.view_test_results", manages_test)
rules.add_perm("work.take_theory_test", test_is_open_now & sits_the_test)
rules.add_perm("work.view_attempt", own_attempt | manages_attempts_test)
rules.add_perm("work.mark_attempt", manages_attempts_test)

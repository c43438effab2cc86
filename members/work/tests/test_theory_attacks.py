"""考学 and online study against someone trying to break them (an attacker's pass, each hole now
closed): crafted question files that would hold a worker, marks that gave the answers away before
the test closed, options past H, NaN figures, former members matched by phone."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from members.models import Membership
from members.work import online, theory
from members.work.models import Question, TestAttempt
from members.work.questions import QuestionFileError, read_questions
from members.roster import read_roster

pytestmark = pytest.mark.django_db


def test_long_runs_of_spaces_are_read_at_once():
    # Before: 2,000 spaces after a heading took seven seconds; these would have taken hours.
    text = "1. 题目\n单选题" + " " * 20000 + "x\nA" + " " * 20000 + "x\n答案：对\n"
    parsed = read_questions(text.encode(), "题库.txt")
    assert len(parsed.questions) + len(parsed.problems) >= 1


def test_a_word_file_too_large_to_be_a_bank_is_refused_before_it_is_parsed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p/>" * 4_000_000)
    with pytest.raises(QuestionFileError):
        read_questions(buffer.getvalue(), "题库.docx")
    with pytest.raises(QuestionFileError):
        read_questions(("1. a\n答案：对\n" * 11000).encode(), "题库.txt")


def test_more_than_eight_options_are_refused():
    parsed = read_questions("1. 题\nA. 1 B. 2 C. 3 D. 4 E. 5 F. 6 G. 7 H. 8 A. 9\n答案：A\n".encode(), "题库.txt")
    assert parsed.questions == []
    assert "A 到 H" in parsed.problems[0].message or "8" in parsed.problems[0].message


@pytest.fixture
def open_test(world):
    now = timezone.now()
    test = theory.theory_test_save(by=world.staff, groups=[world.groups.bureau], organization=world.county, title="测试",
                                   opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=1), paper_mode="fixed",
                                   attempts_allowed=2)
    bank = "1. 发展是第一要务。\n答案：对\n2. 坚持以____为中心。\n答案：人民\n"
    theory.questions_import(by=world.staff, organization=world.county, data=bank.encode(), filename="题库.txt", apply=True, test=test)
    theory.theory_test_publish(by=world.staff, test=test)
    return test


def test_a_handed_in_attempt_shows_no_per_question_marks_before_the_test_closes(world, client_for, open_test):
    attempt = theory.attempt_start(by=world.member, test=open_test)
    judge = Question.objects.get(kind="judge")
    theory.attempt_answer(by=world.member, attempt=attempt, question_id=judge.pk, value="false")
    theory.attempt_submit(by=world.member, attempt=attempt)
    page = client_for(world.member).get(attempt.get_absolute_url()).content.decode()
    assert "得分：0" not in page.replace("得分：0.0 / 4.0", "")  # the total only, not which answer was wrong
    assert "得分：0.0 / 2.0" not in page


def test_a_blank_answer_keeps_as_many_values_as_the_question_has_blanks(world, open_test):
    attempt = theory.attempt_start(by=world.member, test=open_test)
    blank = Question.objects.get(kind="blank")
    theory.attempt_answer(by=world.member, attempt=attempt, question_id=blank.pk, value=["人民"] * 900)
    assert TestAttempt.objects.get().answers[str(blank.pk)] == ["人民"]


def _export(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_nan_points_are_an_error_not_a_crash(world):
    world.member.phone = "13900000001"
    world.member.save()
    plan = online.plan_online_study(read_roster(_export([["姓名", "手机号", "积分"], ["x", "13900000001", "NaN"]]), "x.xlsx"),
                                    by=world.staff, platform="xuexi", period=date(2026, 1, 1))
    assert plan.counts()["rows_with_errors"] == 1


def test_a_former_member_of_a_managed_group_is_not_matched(world):
    person = world.sibling_member
    person.phone = "13900000009"
    person.save()
    Membership.objects.create(user=person, group=world.groups.bureau, started_on=date(2020, 1, 1), ended_on=date(2021, 12, 31))
    plan = online.plan_online_study(read_roster(_export([["姓名", "手机号", "积分"], ["?", "13900000009", "10"]]), "x.xlsx"),
                                    by=world.staff, platform="xuexi", period=date(2026, 1, 1))
    assert plan.rows[0].action == "unmatched"
    assert plan.rows[0].person == ""

"""考学: questions from Word and Excel (and the command line), a test set for a group, taken by
several members (answers saved as they go, the time limit kept by the server, options shuffled
per person), marked, and its results by member, group and question."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import Workbook, load_workbook

from members.notifications.models import Notification, NotificationKind
from members.work import selectors, theory
from members.work.models import Question, TestAttempt, TheoryTest
from members.work.questions import read_questions

pytestmark = pytest.mark.django_db

BANK = """2026年第一季度理论学习测试题
一、单项选择题（每题2分）
1. 党的二十届三中全会的主题是（ ）。
A. 进一步全面深化改革、推进中国式现代化
B．全面建成小康社会  C、高质量发展
D. 乡村振兴
答案：A
解析：见全会公报。
二、多项选择题
（1）新发展理念包括（ ）。
A. 创新 B. 协调 C. 绿色 D. 开放 E. 共享
参考答案：ABCDE
三、判断题
1. 发展是党执政兴国的第一要务。
【答案】√
四、填空题
1. 坚持以______为中心的发展思想，推进______。
答案：人民；共同富裕
五、简答题
1. 简述新质生产力的内涵。
答案：新质生产力是创新起主导作用的先进生产力质态。
6. 没有答案的题
"""


def docx(text: str) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_bank_in_the_common_layout_is_read_with_types_from_its_headings():
    parsed = read_questions(docx(BANK), "题库.docx")
    assert [(q.kind, q.answer) for q in parsed.questions] == [
        ("single", "A"), ("multiple", "ABCDE"), ("judge", True), ("blank", ["人民", "共同富裕"]),
        ("short", "新质生产力是创新起主导作用的先进生产力质态。"),
    ]
    assert parsed.questions[0].options[1] == "全面建成小康社会"
    assert parsed.questions[0].explanation == "见全会公报。"
    assert [p.message for p in parsed.problems] == ["没有找到答案（请写作“答案：B”）。"]


def test_without_headings_the_type_comes_from_the_questions_shape():
    text = "1、下列说法正确的是\nA、甲 B、乙 C、丙\n答案：AC\n2、改革永远在路上。\n答案：对\n3、我们党的根本宗旨是____。\n答案：全心全意为人民服务"
    parsed = read_questions(text.encode("gb18030"), "题库.txt")
    assert [q.kind for q in parsed.questions] == ["multiple", "judge", "blank"]


def test_the_excel_template_is_read_and_bad_rows_say_where():
    book = Workbook()
    book.active.append(["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "难度"])
    book.active.append(["单选", "中国共产党的初心使命是（ ）", "为中国人民谋幸福，为中华民族谋复兴", "发展经济", "改革开放", "A", "", "易"])
    book.active.append(["单选题", "选错的题", "甲", "乙", "", "D", "", "中"])
    book.active.append(["问答", "题型写错", "", "", "", "x", "", "中"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_questions(buffer.getvalue(), "试题.xlsx")
    assert [(q.kind, q.difficulty) for q in parsed.questions] == [("single", 1)]
    assert [p.where for p in parsed.problems] == ["Sheet 第3行", "Sheet 第4行"]


def test_the_command_line_prints_the_questions_as_json(world, tmp_path, capsys):
    path = tmp_path / "题库.docx"
    path.write_bytes(docx(BANK))
    call_command("import_questions", str(path), "--organization", str(world.county.pk), "--dry-run", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["questions"][0] == {
        "type": "single", "stem": "党的二十届三中全会的主题是（ ）。",
        "options": ["进一步全面深化改革、推进中国式现代化", "全面建成小康社会", "高质量发展", "乡村振兴"], "answer": "A",
    }
    assert [q["answer"] for q in printed["questions"][2:4]] == [True, ["人民", "共同富裕"]]
    assert len(printed["errors"]) == 1
    assert not Question.objects.exists()


@pytest.fixture
def test_from_word(world, client_for):
    """Staff set a test for the bureau group in the browser and import its paper from Word."""
    client = client_for(world.staff)
    now = timezone.localtime()
    response = client.post(reverse("work:theory-test-create"), {
        "organization": world.county.pk, "title": "一季度理论测试", "groups": [world.groups.bureau.pk],
        "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": 30, "attempts_allowed": 1, "pass_score": 60, "shuffle": "on", "one_per_screen": "on",
        "paper_mode": "fixed",
    })
    test = TheoryTest.objects.get()
    assert response.url == test.get_absolute_url()
    url = reverse("work:question-import") + f"?test={test.pk}"
    preview = client.post(url, {"organization": world.county.pk, "file": SimpleUploadedFile("题库.docx", docx(BANK)), "test": test.pk})
    assert preview.status_code == 200
    assert len(preview.context["parsed"].questions) == 5
    assert not Question.objects.exists()  # nothing added before staff confirm
    client.post(url, {"token": preview.context["token"], "test": test.pk})
    assert Question.objects.count() == 5
    assert test.paper.count() == 5
    client.post(reverse("work:theory-test-publish", kwargs={"pk": test.pk}))
    test.refresh_from_db()
    assert test.status == TheoryTest.Status.PUBLISHED
    return test


def answer(client, attempt, question, value):
    values = value if isinstance(value, list) else [value]
    return client.post(reverse("work:attempt-answer", kwargs={"pk": attempt.pk}), {"question": question.pk, "answer": values})


def right_answers(question):
    if question.kind == "judge":
        return "true" if question.answer else "false"
    if question.kind in ("multiple", "blank"):
        return list(question.answer)
    return question.answer


def test_members_take_the_test_their_answers_are_kept_and_it_is_marked(world, client_for, test_from_word):
    test = test_from_word
    assert Notification.objects.filter(kind=NotificationKind.TEST_OPEN, recipient=world.member).exists()
    questions = {q.kind: q for q in Question.objects.all()}

    member = client_for(world.member)
    page = member.get(test.get_absolute_url())
    assert "开始答题" in page.content.decode()
    started = member.post(reverse("work:attempt-start", kwargs={"pk": test.pk}))
    attempt = TestAttempt.objects.get(person=world.member)
    assert started.url == attempt.get_absolute_url()
    for kind, question in questions.items():
        value = right_answers(question) if kind != "short" else "以科技创新推动产业创新。"
        saved = answer(member, attempt, question, value)
        assert saved.status_code == 200
        assert "已保存" in saved.content.decode()
    screen = member.get(attempt.get_absolute_url() + "?n=2")
    assert screen.context["answered"] == 5
    assert len(screen.context["paper"]) == 1  # one question a screen
    member.post(reverse("work:attempt-submit", kwargs={"pk": attempt.pk}))
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.score == Decimal("9.0")  # 2 + 3 + 2 + 2, the short answer waits
    assert attempt.needs_marking
    assert answer(member, attempt, questions["single"], "B").status_code == 409  # handed in: no more changes

    # A second member gets a wrong option; the results name it as the one chosen most.
    other = client_for(world.other_member)
    other.post(reverse("work:attempt-start", kwargs={"pk": test.pk}))
    second = TestAttempt.objects.get(person=world.other_member)
    answer(other, second, questions["single"], "B")
    other.post(reverse("work:attempt-submit", kwargs={"pk": second.pk}))

    staff = client_for(world.staff)
    marked = staff.post(reverse("work:attempt-mark", kwargs={"pk": attempt.pk}), {
        f"points_{questions['short'].pk}": "8", f"comment_{questions['short'].pk}": "要点基本完整",
    })
    assert marked.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == Decimal("17.0")
    assert not attempt.needs_marking
    assert Notification.objects.filter(recipient=world.member, kind=NotificationKind.TEST_OPEN, title__contains="17.0").exists()
    too_many = staff.post(reverse("work:attempt-mark", kwargs={"pk": attempt.pk}), {f"points_{questions['short'].pk}": "99"})
    assert too_many.status_code == 200  # refused on the form, in Chinese

    results = selectors.test_results(test)
    [bureau] = results["groups"]
    assert (bureau["took"], bureau["members"]) == (2, 2)
    single = next(row for row in results["questions"] if row["question"].kind == "single")
    assert (single["rate"], single["most_wrong"]) == (50.0, "B")
    export = staff.get(reverse("work:theory-test-export", kwargs={"pk": test.pk}))
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content))
    assert book.sheetnames[1:] == ["按中心组", "按试题"]
    assert book[book.sheetnames[0]].cell(row=3, column=2).value == world.member.name or book[book.sheetnames[0]].cell(row=4, column=2).value == world.member.name


def test_the_server_keeps_the_time_limit_and_hands_in_what_was_given(world, client_for, test_from_word):
    test = test_from_word
    member = client_for(world.member)
    member.post(reverse("work:attempt-start", kwargs={"pk": test.pk}))
    attempt = TestAttempt.objects.get()
    single = Question.objects.get(kind="single")
    answer(member, attempt, single, "A")
    TestAttempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    late = answer(member, attempt, Question.objects.get(kind="judge"), "true")
    assert late.status_code == 409
    attempt.refresh_from_db()
    assert attempt.auto_submitted
    assert attempt.score == Decimal("2.0")
    assert str(Question.objects.get(kind="judge").pk) not in attempt.answers


def test_attempts_whose_time_is_up_are_handed_in_by_the_worker(world, client_for, test_from_word):
    member = client_for(world.member)
    member.post(reverse("work:attempt-start", kwargs={"pk": test_from_word.pk}))
    TestAttempt.objects.update(deadline_at=timezone.now() - timedelta(minutes=5))
    assert theory.attempts_finish_overdue() == 1
    assert TestAttempt.objects.get().auto_submitted


def test_options_are_shuffled_per_person_and_marked_by_their_meaning(world, test_from_word):
    attempts = [theory.attempt_start(by=person, test=test_from_word) for person in (world.member, world.other_member)]
    single = Question.objects.get(kind="single")
    for attempt in attempts:
        item = next(item for item in attempt.questions if item["q"] == single.pk)
        assert sorted(item["order"]) == [0, 1, 2, 3]
        theory.attempt_answer(by=attempt.person, attempt=attempt, question_id=single.pk, value="A")
        theory.attempt_submit(by=attempt.person, attempt=attempt)
        attempt.refresh_from_db()
        assert attempt.marks[str(single.pk)]["points"] == "2.0"


def test_one_attempt_unless_staff_allow_more_and_only_for_the_tests_groups(world, test_from_word):
    attempt = theory.attempt_start(by=world.member, test=test_from_word)
    theory.attempt_submit(by=world.member, attempt=attempt)
    with pytest.raises(Exception, match="次数"):
        theory.attempt_start(by=world.member, test=test_from_word)
    with pytest.raises(Exception):
        theory.attempt_start(by=world.township_member, test=test_from_word)


def test_a_random_paper_draws_from_the_bank_by_type(world, client_for, test_from_word):
    test = theory.theory_test_save(
        by=world.staff, groups=[world.groups.bureau], organization=world.county, title="随机卷",
        opens_at=timezone.now() - timedelta(minutes=1), closes_at=timezone.now() + timedelta(days=1),
        paper_mode="random", draw_rules=[{"kind": "single", "count": 1, "points": "5"}, {"kind": "judge", "count": 1}],
    )
    theory.theory_test_publish(by=world.staff, test=test)
    attempt = theory.attempt_start(by=world.member, test=test)
    kinds = sorted(Question.objects.get(pk=item["q"]).kind for item in attempt.questions)
    assert kinds == ["judge", "single"]
    assert attempt.max_score == Decimal("7.0")
    greedy = theory.theory_test_save(
        by=world.staff, groups=[world.groups.bureau], organization=world.county, title="抽太多",
        opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=1),
        paper_mode="random", draw_rules=[{"kind": "single", "count": 9}],
    )
    with pytest.raises(Exception, match="题库中只有"):
        theory.theory_test_publish(by=world.staff, test=greedy)


def test_the_test_page_costs_the_same_queries_with_one_attempt_or_several(world, client_for, test_from_word):
    staff = client_for(world.staff)
    url = test_from_word.get_absolute_url()
    first = theory.attempt_start(by=world.member, test=test_from_word)
    theory.attempt_submit(by=world.member, attempt=first)
    staff.get(url)
    with CaptureQueriesContext(connection) as one:
        staff.get(url)
    second = theory.attempt_start(by=world.other_member, test=test_from_word)
    theory.attempt_submit(by=world.other_member, attempt=second)
    with CaptureQueriesContext(connection) as two:
        staff.get(url)
    assert len(two.captured_queries) == len(one.captured_queries)


def test_the_results_reach_the_study_record_the_review_and_the_bulletin(world, client_for, test_from_word):
    from reports import documents
    from reports import services as report_services
    from reports.models import Bulletin, Period
    from reports.selectors import review_snapshot

    attempt = theory.attempt_start(by=world.member, test=test_from_word)
    single = Question.objects.get(kind="single")
    theory.attempt_answer(by=world.member, attempt=attempt, question_id=single.pk, value="A")
    theory.attempt_submit(by=world.member, attempt=attempt)
    year = timezone.localdate().year
    period = Period.FIRST_HALF if timezone.localdate().month <= 6 else Period.SECOND_HALF

    record = client_for(world.member).get(reverse("work:study-record", kwargs={"pk": world.member.pk}) + f"?year={year}")
    assert [a.test for a in record.context["tests"]] == [test_from_word]
    assert "一季度理论测试" in record.content.decode()

    [row] = review_snapshot(world.groups.bureau, year=year, period=period)["theory_tests"]
    assert (row["tests"], row["took"], row["members"], row["rate"]) == (1, 1, 2, 50.0)
    assert row["average"] == round(100 * 2 / 19, 1)

    bulletin = report_services.bulletin_create(organization=world.county, year=year, period=period, by=world.staff)
    page = client_for(world.staff).get(bulletin.get_absolute_url()).content.decode()
    assert "考学情况" in page or "考学" in page
    context = documents.bulletin_context(Bulletin.objects.get(pk=bulletin.pk), for_pdf=True)
    assert context["snapshot"]["theory_tests"][0]["group"] == world.groups.bureau.name

    export = client_for(world.staff).get(reverse("work:study-records-export", kwargs={"pk": world.groups.bureau.pk}) + f"?year={year}")
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content))
    headers = [cell.value for cell in book.active[2]]
    mine = next(row for row in book.active.iter_rows(min_row=3, values_only=True) if row[1] == world.member.name)
    assert dict(zip(headers, mine))["考学次数"] == 1


def test_a_random_paper_can_draw_from_one_plan_topic(world, client_for):
    from plans.tests.factories import AnnualPlanFactory, TopicFactory

    plan = AnnualPlanFactory(group=world.groups.bureau, year=timezone.localdate().year)
    topic = TopicFactory(plan=plan, title="学习贯彻党的二十届三中全会精神")
    on_topic = Question.objects.create(organization=world.county, kind="judge", stem="改革永远在路上。", answer=True,
                                       topic=topic, created_by=world.staff)
    Question.objects.create(organization=world.county, kind="judge", stem="另一个专题的题。", answer=False, created_by=world.staff)
    client = client_for(world.staff)
    form = client.get(reverse("work:theory-test-create")).context["form"]
    assert topic in form.fields["rule_0_topic"].queryset
    now = timezone.localtime()
    client.post(reverse("work:theory-test-create"), {
        "organization": world.county.pk, "title": "专题测试", "groups": [world.groups.bureau.pk],
        "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"), "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": 10, "attempts_allowed": 1, "pass_score": 60, "paper_mode": "random",
        "rule_0_kind": "judge", "rule_0_topic": topic.pk, "rule_0_count": 1, "rule_0_points": "5",
    })
    test = TheoryTest.objects.get(title="专题测试")
    assert test.draw_rules[0]["topic"] == topic.pk
    theory.theory_test_publish(by=world.staff, test=test)
    attempt = theory.attempt_start(by=world.member, test=test)
    assert [item["q"] for item in attempt.questions] == [on_topic.pk]
    assert "学习贯彻党的二十届三中全会精神" in client.get(test.get_absolute_url()).content.decode()


def test_the_excel_template_downloads_and_a_filled_copy_imports(world, client_for):
    response = client_for(world.staff).get(reverse("work:question-template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert book.sheetnames == ["试题", "填写说明"]
    sheet = book["试题"]
    assert [cell.value for cell in sheet[2]][:3] == ["题型", "题干", "选项A"]
    sheet.append(["判断", "改革开放是决定当代中国命运的关键一招。", None, None, None, None, None, None, "对", "", "易", "", "教材"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_questions(buffer.getvalue(), "试题.xlsx")
    assert [(q.kind, q.answer, q.difficulty, q.source) for q in parsed.questions] == [("judge", True, 1, "教材")]
    assert parsed.problems == []

"""Services of theory tests (考学): the question bank and its import, tests and their papers,
members' attempts (answers saved as they go, the time limit enforced here), marking, results.

Each write checks its permission (``members/work/rules.py``), runs in a transaction and records
who did it; state changes go through ``TheoryTest.transitions``.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, Organization, StudyGroup, User, current_q
from members.work.models import Question, QuestionKind, TestAttempt, TestPaper, TheoryTest
from members.work.questions import LETTERS, QuestionFile, read_questions
from studygroup.mixins import require_perm
from studygroup.services import save_as

# A save that arrives this long after the deadline still counts (the network between the
# phone's last keystroke and the server).
ANSWER_GRACE = timedelta(seconds=20)


# --- the bank ------------------------------------------------------------------------------------


def _topics_by_title(organization: Organization) -> dict[str, object]:
    from plans.models import Topic

    topics = Topic.objects.filter(plan__group__organization=organization).order_by("-plan__year", "pk")
    found: dict[str, object] = {}
    for topic in topics.only("pk", "title", "plan_id"):
        found.setdefault(topic.title.strip(), topic)
    return found


@transaction.atomic
def questions_import(*, by: User, organization: Organization, data: bytes, filename: str, apply: bool,
                     test: TheoryTest | None = None) -> tuple[QuestionFile, list[Question]]:
    """Read questions; with ``apply`` add them to the organisation's bank (and, given a draft
    test, to its fixed paper in the file's order). Errors leave their question out."""
    require_perm(by, "work.manage_question_bank", organization)
    if test is not None:
        require_perm(by, "work.change_theory_test", test)
    from members.work.questions import QuestionFileError

    try:
        parsed = read_questions(data, filename)
    except QuestionFileError as error:
        raise ValidationError({"file": str(error)}) from error
    if not apply:
        return parsed, []
    topics = _topics_by_title(organization)
    created = []
    for item in parsed.questions:
        question = Question(
            organization=organization, kind=item.kind, stem=item.stem, options=item.options, answer=item.answer,
            explanation=item.explanation, difficulty=item.difficulty, source=item.source[:200],
            topic=topics.get(item.topic.strip()) if item.topic else None, topic_name=item.topic[:200],
            created_by=by,
        )
        save_as(question, by=by)
        created.append(question)
    if test is not None and created:
        start = (TestPaper.objects.filter(test=test).order_by("-position").values_list("position", flat=True).first() or 0) + 1
        TestPaper.objects.bulk_create([
            TestPaper(test=test, question=question, position=start + n, points=default_points(question.kind))
            for n, question in enumerate(created)
        ])
    return parsed, created


def default_points(kind: str) -> Decimal:
    return {QuestionKind.SHORT: Decimal(10), QuestionKind.BLANK: Decimal(2), QuestionKind.MULTIPLE: Decimal(3)}.get(kind, Decimal(2))


# --- tests ---------------------------------------------------------------------------------------


def _check_test(test: TheoryTest, groups) -> None:
    errors = {}
    if test.closes_at and test.opens_at and test.closes_at <= test.opens_at:
        errors["closes_at"] = _("The test must close after it opens.")
    if groups is not None and not list(groups):
        errors["groups"] = _("Choose at least one study group.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def theory_test_save(*, by: User, test: TheoryTest | None = None, groups=None, **fields) -> TheoryTest:
    """Create a test (as a draft) or change a draft: its groups must be groups the staff manage."""
    organization = fields.get("organization") or (test.organization if test else None)
    if test is None:
        require_perm(by, "work.add_theory_test", organization)
        test = TheoryTest(created_by=by, **fields)
    else:
        require_perm(by, "work.change_theory_test", test)
        test = TheoryTest.objects.select_for_update().get(pk=test.pk)
        TheoryTest.transitions.require(test, "edit")
        for name, value in fields.items():
            setattr(test, name, value)
    if groups is not None:
        managed = set(scoping.managed_groups(by).filter(pk__in=[g.pk for g in groups]).values_list("pk", flat=True))
        if any(group.pk not in managed for group in groups):
            raise ValidationError({"groups": _("You can only set tests for the groups you manage.")})
    _check_test(test, groups)
    save_as(test, by=by)
    if groups is not None:
        test.groups.set(groups)
    return test


def paper_questions(test: TheoryTest) -> list[TestPaper]:
    return list(TestPaper.objects.filter(test=test).select_related("question").order_by("position", "pk"))


def _bank_for(test: TheoryTest):
    """The questions a test may draw: its organisation's and those of the organisations above."""
    organization = test.organization
    paths = [organization.path[:end] for end in range(Organization.steplen, len(organization.path) + 1, Organization.steplen)]
    return Question.objects.filter(organization__path__in=paths, is_active=True)


def _check_draw_rules(test: TheoryTest) -> None:
    bank = _bank_for(test)
    for rule in test.draw_rules:
        matching = bank.filter(kind=rule["kind"])
        if rule.get("difficulty"):
            matching = matching.filter(difficulty=rule["difficulty"])
        if rule.get("topic"):
            matching = matching.filter(topic_id=rule["topic"])
        if matching.count() < int(rule["count"]):
            raise ValidationError(_(
                "The bank has %(have)s %(kind)s questions for a rule that draws %(count)s: add questions or draw fewer."
            ) % {"have": matching.count(), "kind": QuestionKind(rule["kind"]).label, "count": rule["count"]})


@transaction.atomic
def theory_test_publish(*, by: User, test: TheoryTest) -> TheoryTest:
    """Open the test to its groups' members (at its opening time) and tell them."""
    require_perm(by, "work.change_theory_test", test)
    test = TheoryTest.objects.select_for_update().get(pk=test.pk)
    TheoryTest.transitions.require(test, "publish")
    if test.closes_at <= timezone.now():
        raise ValidationError(_("The closing time has passed: set a later one before publishing."))
    if not test.groups.exists():
        raise ValidationError(_("Choose at least one study group."))
    if test.paper_mode == TheoryTest.PaperMode.FIXED and not TestPaper.objects.filter(test=test).exists():
        raise ValidationError(_("The paper has no questions yet: import them or choose them from the bank."))
    if test.paper_mode == TheoryTest.PaperMode.RANDOM:
        if not test.draw_rules:
            raise ValidationError(_("Say how many questions of each type to draw."))
        _check_draw_rules(test)
    TheoryTest.transitions.apply(test, "publish")
    test.published_at = timezone.now()
    save_as(test, by=by)
    _tell_members_test_open(test, by=by)
    return test


@transaction.atomic
def theory_test_close(*, by: User, test: TheoryTest) -> TheoryTest:
    require_perm(by, "work.change_theory_test_status", test)
    test = TheoryTest.objects.select_for_update().get(pk=test.pk)
    TheoryTest.transitions.apply(test, "close")
    if test.closes_at > timezone.now():
        test.closes_at = timezone.now()
    save_as(test, by=by)
    for attempt in TestAttempt.objects.filter(test=test, submitted_at__isnull=True):
        _submit(attempt, auto=True)
    return test


def test_members(test: TheoryTest):
    return User.objects.filter(
        is_active=True, pk__in=Membership.objects.filter(current_q(), group__in=test.groups.all()).values("user"),
    )


def _tell_members_test_open(test: TheoryTest, *, by: User) -> None:
    from members.notifications.models import NotificationKind
    from members.notifications.services import format_moment, notification_send

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Theory test: %(title)s") % {"title": test.title}
        body = _("Open from %(opens)s to %(closes)s, %(minutes)s minutes once begun.") % {
            "opens": format_moment(test.opens_at), "closes": format_moment(test.closes_at), "minutes": test.time_limit_minutes,
        }
    notification_send(
        kind=NotificationKind.TEST_OPEN, obj=test, recipients=list(test_members(test)), occasion="published",
        title=title, body=body, robots=False, by=by,
    )


# --- attempts ------------------------------------------------------------------------------------


def _seat_for(test: TheoryTest, person: User) -> StudyGroup | None:
    return (
        StudyGroup.objects.filter(pk__in=test.groups.values("pk"))
        .filter(pk__in=Membership.objects.filter(current_q(), user=person).values("group")).order_by("pk").first()
    )


def _draw(test: TheoryTest, rng: random.Random) -> list[dict]:
    if test.paper_mode == TheoryTest.PaperMode.FIXED:
        chosen = [(item.question, item.points) for item in paper_questions(test)]
    else:
        bank = _bank_for(test)
        chosen, taken = [], set()
        for rule in test.draw_rules:
            matching = bank.filter(kind=rule["kind"]).exclude(pk__in=taken)
            if rule.get("difficulty"):
                matching = matching.filter(difficulty=rule["difficulty"])
            if rule.get("topic"):
                matching = matching.filter(topic_id=rule["topic"])
            ids = sorted(matching.values_list("pk", flat=True))
            picked = rng.sample(ids, min(int(rule["count"]), len(ids)))
            taken.update(picked)
            questions = {q.pk: q for q in Question.objects.filter(pk__in=picked)}
            chosen.extend((questions[pk], Decimal(str(rule.get("points") or default_points(rule["kind"])))) for pk in picked)
    if test.shuffle:
        rng.shuffle(chosen)
    drawn = []
    for question, points in chosen:
        order = list(range(len(question.options)))
        if test.shuffle and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            rng.shuffle(order)
        drawn.append({"q": question.pk, "points": str(points), "order": order})
    return drawn


@transaction.atomic
def attempt_start(*, by: User, test: TheoryTest) -> TestAttempt:
    """Begin (or resume) the member's attempt: the questions are drawn and shuffled for them once."""
    test = TheoryTest.objects.select_for_update().get(pk=test.pk)
    group = _seat_for(test, by)
    if group is None:
        raise PermissionDenied(_("This test is for the members of other groups."))
    open_attempt = TestAttempt.objects.filter(test=test, person=by, submitted_at__isnull=True).first()
    if open_attempt is not None:
        if attempt_expired(open_attempt):
            _submit(open_attempt, auto=True)
        else:
            return open_attempt
    now = timezone.now()
    if not test.is_open(now):
        raise ValidationError(_("The test is not open now."))
    taken = TestAttempt.objects.filter(test=test, person=by).count()
    if taken >= test.attempts_allowed:
        raise ValidationError(_("You have used every attempt this test allows."))
    rng = random.SystemRandom() if test.shuffle else random.Random(0)
    questions = _draw(test, rng)
    attempt = TestAttempt.objects.create(
        test=test, person=by, group=group, number=taken + 1, started_at=now,
        deadline_at=min(now + timedelta(minutes=test.time_limit_minutes), test.closes_at), questions=questions,
        max_score=sum((Decimal(item["points"]) for item in questions), Decimal(0)),
    )
    return attempt


def attempt_expired(attempt: TestAttempt, now=None) -> bool:
    return (now or timezone.now()) > attempt.deadline_at + ANSWER_GRACE


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


def clean_answer(question: Question, value):
    """The answer as stored: original option letters for choices, a bool, a list of blanks, a text."""
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = value if isinstance(value, list | tuple) else [value]
        letters = set()
        for item in values:
            item = str(item).strip().upper()
            if not item:
                continue
            if len(item) != 1 or item not in LETTERS[: len(question.options)]:
                raise ValidationError(_("That is not one of the options."))
            letters.add(item)
        if kind == QuestionKind.SINGLE and len(letters) > 1:
            raise ValidationError(_("Choose one option."))
        return "".join(sorted(letters))
    if kind == QuestionKind.JUDGE:
        if value in ("", None):
            return None
        if str(value).lower() in ("true", "1", "对"):
            return True
        if str(value).lower() in ("false", "0", "错"):
            return False
        raise ValidationError(_("Answer true or false."))
    if kind == QuestionKind.BLANK:
        values = value if isinstance(value, list | tuple) else [value]
        return [str(item)[:200] for item in values][: len(question.answer or [])]
    text = str(value or "")
    if len(text) > 5000:
        raise ValidationError(_("An answer has at most 5,000 characters."))
    return text


def attempt_answer(*, by: User, attempt: TestAttempt, question_id: int, value) -> TestAttempt:
    """Save one answer as the member goes; after the time limit nothing more is taken and the
    attempt is handed in (that stays done, though the answer is refused)."""
    with transaction.atomic():
        attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.person_id != by.pk:
            raise PermissionDenied
        if attempt.submitted_at is not None:
            raise ValidationError(_("This attempt has been handed in."))
        expired = attempt_expired(attempt)
        if expired:
            _submit(attempt, auto=True)
        else:
            if question_id not in {item["q"] for item in attempt.questions}:
                raise ValidationError(_("That question is not on your paper."))
            question = Question.objects.get(pk=question_id)
            attempt.answers[str(question_id)] = clean_answer(question, value)
            attempt.save(update_fields=["answers"])
    if expired:
        raise ValidationError(_("The time is up: your answers so far were handed in."))
    return attempt


def _mark_objective(question: Question, answer, points: Decimal) -> Decimal | None:
    """The points an objective answer earns (None: a short answer, marked by staff)."""
    kind = question.kind
    if kind == QuestionKind.SHORT:
        return None
    if answer in (None, "", []):
        return Decimal(0)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.JUDGE):
        return points if answer == question.answer else Decimal(0)
    expected = list(question.answer or [])
    given = list(answer) + [""] * (len(expected) - len(answer))
    right = sum(1 for want, got in zip(expected, given, strict=False) if _normalise(want) == _normalise(got))
    return (points * right / len(expected)).quantize(Decimal("0.1")) if expected else Decimal(0)


def _submit(attempt: TestAttempt, *, auto: bool) -> TestAttempt:
    questions = {q.pk: q for q in Question.objects.filter(pk__in=[item["q"] for item in attempt.questions])}
    marks, score, waiting = {}, Decimal(0), False
    for item in attempt.questions:
        question = questions[item["q"]]
        earned = _mark_objective(question, attempt.answers.get(str(item["q"])), Decimal(item["points"]))
        if earned is None:
            waiting = True
            continue
        marks[str(item["q"])] = {"points": str(earned), "comment": ""}
        score += earned
    attempt.marks = marks
    attempt.score = score
    attempt.needs_marking = waiting
    attempt.submitted_at = min(timezone.now(), attempt.deadline_at + ANSWER_GRACE)
    attempt.auto_submitted = auto
    attempt.save(update_fields=["marks", "score", "needs_marking", "submitted_at", "auto_submitted"])
    return attempt


@transaction.atomic
def attempt_submit(*, by: User, attempt: TestAttempt) -> TestAttempt:
    """Hand the attempt in: objective questions are marked at once."""
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.person_id != by.pk:
        raise PermissionDenied
    if attempt.submitted_at is not None:
        return attempt
    return _submit(attempt, auto=attempt_expired(attempt))


def attempts_finish_overdue(now=None) -> int:
    """Hand in every attempt whose time is up (beat runs this every few minutes; a member who
    closed the phone is handed in all the same)."""
    now = now or timezone.now()
    count = 0
    for pk in TestAttempt.objects.filter(submitted_at__isnull=True, deadline_at__lt=now - ANSWER_GRACE).values_list("pk", flat=True):
        with transaction.atomic():
            attempt = TestAttempt.objects.select_for_update().get(pk=pk)
            if attempt.submitted_at is None:
                _submit(attempt, auto=True)
                count += 1
    return count


@transaction.atomic
def attempt_mark(*, by: User, attempt: TestAttempt, marks: dict[int, tuple[Decimal, str]]) -> TestAttempt:
    """Staff mark the short answers (points within the question's, and a comment)."""
    require_perm(by, "work.mark_attempt", attempt)
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is None:
        raise ValidationError(_("The attempt has not been handed in yet."))
    points_of = {item["q"]: Decimal(item["points"]) for item in attempt.questions}
    short = set(Question.objects.filter(pk__in=list(points_of), kind=QuestionKind.SHORT).values_list("pk", flat=True))
    errors = {}
    for question_id, (points, comment) in marks.items():
        if question_id not in short:
            raise ValidationError(_("Only short answers are marked by hand."))
        if points is None or points < 0 or points > points_of[question_id]:
            errors[f"points_{question_id}"] = _("Give between 0 and %(max)s points.") % {"max": points_of[question_id]}
            continue
        attempt.marks[str(question_id)] = {"points": str(points), "comment": comment.strip()[:1000]}
    if errors:
        raise ValidationError(errors)
    attempt.needs_marking = any(str(pk) not in attempt.marks for pk in short)
    attempt.score = sum((Decimal(mark["points"]) for mark in attempt.marks.values()), Decimal(0))
    attempt.marked_by, attempt.marked_at = by, timezone.now()
    attempt.save(update_fields=["marks", "needs_marking", "score", "marked_by", "marked_at"])
    if not attempt.needs_marking:
        _tell_member_marked(attempt, by=by)
    return attempt


def _tell_member_marked(attempt: TestAttempt, *, by: User) -> None:
    from members.notifications.models import NotificationKind
    from members.notifications.services import notification_send

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Your answers to “%(test)s” were marked: %(score)s of %(max)s") % {
            "test": attempt.test.title, "score": attempt.score, "max": attempt.max_score,
        }
    notification_send(
        kind=NotificationKind.TEST_OPEN, obj=attempt, recipients=[attempt.person], occasion=f"marked:{attempt.marked_at:%Y%m%d%H%M%S%f}",
        title=title, body=_("Marked by %(who)s.") % {"who": by.get_full_name()}, robots=False, by=by,
    )


@transaction.atomic
def paper_question_add(*, by: User, test: TheoryTest, question: Question, points: Decimal | None = None) -> TestPaper:
    """Put a bank question on a draft test's fixed paper (at the end; once)."""
    require_perm(by, "work.change_theory_test", test)
    if not Question.objects.visible_to(by).filter(pk=question.pk, is_active=True).exists():
        raise PermissionDenied
    last = TestPaper.objects.filter(test=test).order_by("-position").values_list("position", flat=True).first() or 0
    item, _created = TestPaper.objects.get_or_create(
        test=test, question=question, defaults={"position": last + 1, "points": points or default_points(question.kind)},
    )
    return item


@transaction.atomic
def paper_question_remove(*, by: User, test: TheoryTest, item_id: int) -> None:
    """Take a question off a draft test's paper (it stays in the bank)."""
    require_perm(by, "work.change_theory_test", test)
    TestPaper.objects.filter(test=test, pk=item_id).delete()


def draw_rule_labels(test: TheoryTest) -> list[str]:
    """A random paper's rules as staff read them: 单选题 × 5（难度 中，专题 …，每题 2 分）."""
    from members.work.models import Difficulty
    from plans.models import Topic

    topics = dict(Topic.objects.filter(pk__in=[rule.get("topic") for rule in test.draw_rules if rule.get("topic")]).values_list("pk", "title"))
    labels = []
    for rule in test.draw_rules:
        details = []
        if rule.get("difficulty"):
            details.append(_("difficulty %(level)s") % {"level": Difficulty(rule["difficulty"]).label})
        if rule.get("topic"):
            details.append(_("topic %(topic)s") % {"topic": topics.get(rule["topic"], "")})
        details.append(_("%(points)s points each") % {"points": rule.get("points") or default_points(rule["kind"])})
        labels.append(f"{QuestionKind(rule['kind']).label} × {rule['count']}（{'，'.join(str(d) for d in details)}）")
    return labels

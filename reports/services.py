"""Writes on reviews, bulletins, inspections, rectification items, 述学 and PDF builds.

Each function takes keyword arguments, checks the actor may do it, allows only the transitions
of the workflow, validates (``full_clean``), writes in a transaction and records who did it
(``_history_user`` for django-simple-history).
"""

from __future__ import annotations

import logging
import time
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import scoping
from members.models import Organization, StudyGroup, User
from reports import selectors
from reports.models import (
    Bulletin,
    BulletinRead,
    DocumentBuild,
    HalfYearReview,
    Inspection,
    Period,
    RectificationEvidence,
    RectificationItem,
    StudyAccount,
    period_label,
)
from reports.rules import ITEM_SIDES
from studygroup.mixins import require_perm
from studygroup.queue import enqueue
from studygroup.services import build_claim, build_failed, locked, save_as
from studygroup.uploads import check_upload

logger = logging.getLogger(__name__)


def _require(queryset, obj):
    if not queryset.filter(pk=obj.pk).exists():
        raise PermissionDenied


# --- half-year review ------------------------------------------------------------------------


def review_draft_text(snapshot: dict, *, group: StudyGroup, year: int, period: str) -> dict:
    """A first draft of the narrative from the figures; staff rewrite it."""
    f = snapshot["figures"]
    label = period_label(year, period)
    lines = [
        _("In %(period)s the group held %(meetings)s group study meetings (the plan asks for %(quota)s), "
          "including %(discussions)s thematic discussions and %(lectures)s expert lectures.")
        % {"period": label, "meetings": f["meetings"], "quota": f["meetings_quota"] if f["meetings_quota"] is not None else "—",
           "discussions": f["discussions"], "lectures": f["lectures"]},
        _("The attendance rate was %(rate)s; %(first)s first-agenda studies were held; members wrote "
          "%(reflections)s reflections and %(research)s research reports and published %(articles)s "
          "articles at city level and above.")
        % {"rate": f"{f['attendance_rate']}%" if f["attendance_rate"] is not None else "—", "first": f["first_agenda"],
           "reflections": f["reflections"], "research": f["research_reports"], "articles": f["articles"]},
    ]
    problems = []
    if "no_plan" in f["behind"]:
        problems.append(_("There is no approved annual plan for the year."))
    if "meetings" in f["behind"] or "discussions" in f["behind"]:
        problems.append(_("The number of meetings or discussions is behind the plan."))
    if snapshot["uncovered_topics"]:
        problems.append(
            _("Planned topics not yet studied: %(topics)s.") % {"topics": "；".join(snapshot["uncovered_topics"][:8])}
        )
    if f["meetings"] and f["records_complete"] < f["meetings"]:
        problems.append(
            _("%(n)s of %(total)s meetings lack some of the seven records.")
            % {"n": f["meetings"] - f["records_complete"], "total": f["meetings"]}
        )
    if f["backfilled"]:
        problems.append(_("%(n)s meetings have records entered long after the meeting.") % {"n": f["backfilled"]})
    if f["makeup_owed"]:
        problems.append(_("%(n)s absences still owe make-up study.") % {"n": f["makeup_owed"]})
    if f["rect_overdue"]:
        problems.append(_("%(n)s rectification items are overdue.") % {"n": f["rect_overdue"]})
    next_plan = [_("Study the remaining topics of the annual plan on schedule, hold the thematic discussions "
                   "the plan requires and keep the seven records complete for every meeting.")]
    if snapshot["uncovered_topics"]:
        next_plan.append(_("Cover first: %(topics)s.") % {"topics": "；".join(snapshot["uncovered_topics"][:5])})
    return {
        "good_practices": "\n".join(lines),
        "problems": "\n".join(problems) or _("(Describe the problems and their causes.)"),
        "next_plan": "\n".join(next_plan),
    }


@transaction.atomic
def review_create(*, group: StudyGroup, year: int, period: str, by: User) -> HalfYearReview:
    require_perm(by, "reports.add_group_review", group)
    if HalfYearReview.objects.filter(group=group, year=year, period=period).exists():
        raise ValidationError(_("This group already has a review for this period."))
    snapshot = selectors.review_snapshot(group, year=year, period=period)
    draft = review_draft_text(snapshot, group=group, year=year, period=period)
    title = _("%(group)s: review of %(period)s") % {"group": group.organization.name, "period": period_label(year, period)}
    review = HalfYearReview(group=group, year=year, period=period, title=title[:200], created_by=by, **draft)
    return save_as(review, by=by)


@transaction.atomic
def review_update(*, review: HalfYearReview, by: User, title: str, good_practices: str, problems: str, next_plan: str) -> HalfYearReview:
    require_perm(by, "reports.manage_review", review)
    review = locked(review)
    HalfYearReview.transitions.require(review, "edit")
    review.title, review.good_practices, review.problems, review.next_plan = title, good_practices, problems, next_plan
    review.version += 1
    return save_as(review, by=by)


@transaction.atomic
def review_submit(*, review: HalfYearReview, by: User) -> HalfYearReview:
    """Freeze the figures and send the review to the supervising organisation."""
    require_perm(by, "reports.manage_review", review)
    review = locked(review)
    HalfYearReview.transitions.require(review, "submit")
    if not (review.good_practices.strip() and review.problems.strip() and review.next_plan.strip()):
        raise ValidationError(_("Write every section before submitting."))
    parent = Organization.objects.get_parent(review.group.organization)
    review.figures = selectors.review_snapshot(review.group, year=review.year, period=review.period)
    HalfYearReview.transitions.apply(review, "submit")
    review.submitted_to = parent
    review.submitted_by = by
    review.submitted_at = timezone.now()
    review.version += 1
    return save_as(review, by=by)


@transaction.atomic
def review_mark_read(*, review: HalfYearReview, by: User, comment: str) -> HalfYearReview:
    """The supervising organisation's leader or staff reads and comments."""
    require_perm(by, "reports.read_review", review)
    review = locked(review)
    HalfYearReview.transitions.apply(review, "mark_read")
    review.read_by = by
    review.read_at = timezone.now()
    review.comment = comment
    return save_as(review, by=by)


@transaction.atomic
def review_return(*, review: HalfYearReview, by: User, comment: str) -> HalfYearReview:
    """The supervisor sends a submitted review back to be rewritten (a new version follows)."""
    require_perm(by, "reports.read_review", review)
    review = locked(review)
    HalfYearReview.transitions.require(review, "return")
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    HalfYearReview.transitions.apply(review, "return")
    review.figures = None
    review.comment = comment
    review.version += 1
    return save_as(review, by=by)


# --- bulletin --------------------------------------------------------------------------------


@transaction.atomic
def bulletin_create(*, organization, year: int, period: str, by: User) -> Bulletin:
    _require(scoping.managed_organizations(by), organization)
    count = Bulletin.objects.filter(organization=organization, year=year).count()
    bulletin = Bulletin(
        organization=organization, year=year, period=period, created_by=by,
        number=_("%(year)s issue %(n)s") % {"year": year, "n": count + 1},
        title=_("Bulletin on the theory study of the centre groups, %(period)s")
        % {"period": period_label(year, period)},
    )
    bulletin.introduction = _bulletin_introduction(bulletin)
    bulletin.issuing_organ, bulletin.addressees = _bulletin_frame(organization)
    bulletin = save_as(bulletin, by=by)
    _queue_preview(bulletin)
    return bulletin


def _queue_preview(bulletin: Bulletin) -> None:
    if selectors.bulletin_is_large(bulletin):
        transaction.on_commit(partial(enqueue, "reports.preview_bulletin", bulletin_id=bulletin.pk))


def bulletin_preview(*, bulletin_id: int) -> bool:
    """The worker works out a large draft's figures (when it is created and whenever it is
    saved); the draft's page shows them with the time they were worked out."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id, status=Bulletin.Status.DRAFT).select_related("organization").first()
    if bulletin is None:
        return False
    snapshot = selectors.bulletin_snapshot(bulletin)
    return bool(Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT).update(preview=snapshot))


def _bulletin_frame(organization: Organization) -> tuple[str, str]:
    """The organ and the addressees of a new bulletin: the organisation's last bulletin's, or
    words made from its name, which staff correct on the edit page."""
    last = (
        Bulletin.objects.filter(organization=organization).exclude(issuing_organ="")
        .order_by("-pk").values_list("issuing_organ", "addressees").first()
    )
    if last:
        return last
    names = {"organization": organization.name}
    return (
        _("%(organization)s theory study centre group office") % names,
        _("The Party committees (Party groups) and their theory study centre groups under %(organization)s") % names,
    )


def bulletin_next_document_number(bulletin: Bulletin, *, year: int | None = None) -> tuple[str, int]:
    """What the issue form proposes: the organ code its last bulletin used and the next serial
    number of the year."""
    year = year or timezone.localdate().year
    same_organ = Bulletin.objects.filter(organization_id=bulletin.organization_id).exclude(pk=bulletin.pk)
    code = bulletin.document_code or (
        same_organ.exclude(document_code="").order_by("-document_year", "-document_serial").values_list("document_code", flat=True).first()
        or ""
    )
    highest = same_organ.filter(document_year=year).aggregate(highest=models.Max("document_serial"))["highest"]
    return code, (highest or 0) + 1


DOCUMENT_CODE_FORBIDDEN = set("〔〕[]()（）【】")


def _set_document_number(bulletin: Bulletin, code: str, serial: int | None, year: int) -> None:
    code = (code or "").strip()
    errors = {}
    if not code:
        errors["document_code"] = _("Give the organ code (机关代字), e.g. 青宣.")
    elif DOCUMENT_CODE_FORBIDDEN & set(code) or any(ch.isdigit() for ch in code):
        errors["document_code"] = _("The organ code is the short name alone, without year, brackets or number (青宣).")
    if serial is None or serial < 1:
        errors["document_serial"] = _("Give the serial number, 1 or more.")
    if errors:
        raise ValidationError(errors)
    taken = (
        Bulletin.objects.filter(organization_id=bulletin.organization_id, document_year=year, document_serial=serial)
        .exclude(pk=bulletin.pk).values_list("title", flat=True).first()
    )
    if taken is not None:
        raise ValidationError({"document_serial": _("%(number)s is already the number of “%(title)s”: choose another serial number.") % {
            "number": f"{code}〔{year}〕{serial}号", "title": taken,
        }})
    bulletin.document_code, bulletin.document_year, bulletin.document_serial = code, year, serial


def _bulletin_introduction(bulletin: Bulletin) -> str:
    return _(
        "To keep the study of the centre groups regular and thorough, the study of the groups of "
        "%(organization)s in %(period)s is reported as follows."
    ) % {"organization": bulletin.organization.name, "period": period_label(bulletin.year, bulletin.period)}


BULLETIN_TEXT_FIELDS = ["number", "issuing_organ", "addressees", "title", "introduction", "good_practices", "common_problems", "observation_findings", "requirements"]


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, by: User, **fields) -> Bulletin:
    require_perm(by, "reports.manage_bulletin", bulletin)
    bulletin = locked(bulletin)
    Bulletin.transitions.require(bulletin, "edit")
    if bulletin.issue_is_pending:
        raise ValidationError(_("The bulletin is being issued: it cannot be changed now."))
    for name, value in fields.items():
        if name not in BULLETIN_TEXT_FIELDS:
            raise ValueError(name)
        setattr(bulletin, name, value)
    bulletin.version += 1
    bulletin = save_as(bulletin, by=by)
    _queue_preview(bulletin)
    return bulletin


@transaction.atomic
def bulletin_issue_request(
    *, bulletin: Bulletin, by: User, document_code: str | None = None, document_serial: int | None = None,
) -> Bulletin:
    """Ask for the bulletin to be issued: the worker freezes its figures and issues it
    (``reports.issue_bulletin``), so the request answers at once whatever the number of groups.
    Asking twice queues it once; asking again after ``ISSUE_RETRY_AFTER`` queues it again (the
    queue was down, or the worker lost the task).

    Given ``document_code`` (机关代字) the bulletin takes the document number
    code〔this year〕serial号, which must be free for the organ this year."""
    require_perm(by, "reports.manage_bulletin", bulletin)
    bulletin = locked(bulletin)
    Bulletin.transitions.require(bulletin, "issue")
    if bulletin.issue_is_pending:
        return bulletin
    if document_code is not None:
        _set_document_number(bulletin, document_code, document_serial, timezone.localdate().year)
    bulletin.issue_requested_by = by
    bulletin.issue_requested_at = timezone.now()
    try:
        with transaction.atomic():
            bulletin = save_as(bulletin, by=by)
    except IntegrityError as error:  # another bulletin took the number a moment ago
        if "one_document_number_per_organ_and_year" not in str(error) and "document_serial" not in str(error):
            raise
        raise ValidationError({"document_serial": _("This number was given to another bulletin a moment ago: choose another serial number.")}) from error
    transaction.on_commit(partial(enqueue, "reports.issue_bulletin", bulletin_id=bulletin.pk))
    return bulletin


def bulletin_issue_requested(*, bulletin_id: int) -> Bulletin | None:
    """The worker's half of ``bulletin_issue_request``: issue as the person who asked. If they may
    no longer, or it was issued meanwhile, the request is dropped and the draft stays a draft."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id).select_related("issue_requested_by").first()
    if bulletin is None or bulletin.issue_requested_at is None:
        return bulletin
    try:
        return bulletin_issue(bulletin=bulletin, by=bulletin.issue_requested_by)
    except (PermissionDenied, ValidationError):
        logger.warning("bulletin %s: the issue asked for could not be done", bulletin.pk, exc_info=True)
        Bulletin.objects.filter(pk=bulletin.pk).update(issue_requested_by=None, issue_requested_at=None)
        return None


@transaction.atomic
def bulletin_issue(
    *, bulletin: Bulletin, by: User, document_code: str | None = None, document_serial: int | None = None,
) -> Bulletin:
    """Freeze the table, ranking and charts and make the bulletin visible to the groups (with the
    document number, when given, as in ``bulletin_issue_request``)."""
    require_perm(by, "reports.manage_bulletin", bulletin)
    bulletin = locked(bulletin)
    Bulletin.transitions.require(bulletin, "issue")
    if document_code is not None:
        _set_document_number(bulletin, document_code, document_serial, timezone.localdate().year)
    bulletin.figures = selectors.bulletin_snapshot(bulletin)
    Bulletin.transitions.apply(bulletin, "issue")
    bulletin.issued_by = by
    bulletin.issued_at = timezone.now()
    bulletin.issue_requested_by, bulletin.issue_requested_at = None, None
    bulletin.preview = None
    bulletin.version += 1
    bulletin = save_as(bulletin, by=by)
    transaction.on_commit(partial(enqueue, "reports.notify_bulletin_issued", bulletin_id=bulletin.pk))
    return bulletin


def bulletin_mark_opened(*, bulletin: Bulletin, by: User) -> None:
    """Remember that a person opened an issued bulletin (their "to read" list forgets it)."""
    if bulletin.status != Bulletin.Status.ISSUED or not by.is_authenticated:
        return
    BulletinRead.objects.get_or_create(bulletin=bulletin, user=by)


# --- inspections and rectification -----------------------------------------------------------


@transaction.atomic
def inspection_create(
    *, organization, group: StudyGroup, held_on: date, inspectors: str, scope: str, findings: str, by: User,
    follow_up_on: date | None = None,
) -> Inspection:
    _require(scoping.managed_organizations(by), organization)
    if not (group.organization.path.startswith(organization.path) and group.organization.depth > organization.depth):
        raise ValidationError({"group": _("An organization inspects the groups below it.")})
    inspection = Inspection(
        organization=organization, group=group, held_on=held_on, inspectors=inspectors, scope=scope,
        findings=findings, follow_up_on=follow_up_on, created_by=by,
    )
    return save_as(inspection, by=by)


@transaction.atomic
def inspection_update(*, inspection: Inspection, by: User, **fields) -> Inspection:
    require_perm(by, "reports.change_inspection", inspection)
    inspection = locked(inspection)
    for name in ("held_on", "inspectors", "scope", "findings", "follow_up_on", "follow_up_notes"):
        if name in fields:
            setattr(inspection, name, fields[name])
    return save_as(inspection, by=by)


def _check_owner(group, owner):
    if owner is not None and not group.memberships.current().filter(user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a current member of the group.")})


@transaction.atomic
def item_create(
    *, inspection: Inspection, finding: str, measures: str, deadline: date, owner: User | None, by: User
) -> RectificationItem:
    require_perm(by, "reports.change_inspection", inspection)
    _check_owner(inspection.group, owner)
    item = RectificationItem(
        organization=inspection.organization, group=inspection.group, inspection=inspection, finding=finding,
        measures=measures, deadline=deadline, owner=owner, created_by=by,
    )
    return save_as(item, by=by)


@transaction.atomic
def item_from_observation_point(*, point, deadline: date, measures: str, owner: User | None, by: User) -> RectificationItem:
    """An open point of an observation visit (巡听旁听) goes on the rectification list."""
    from sessions.models import ObservationPoint

    point = ObservationPoint.objects.select_related("observation__meeting__group").get(pk=point.pk)
    require_perm(by, "meetings.change_observation", point.observation)
    if RectificationItem.objects.filter(observation_point=point).exists():
        raise ValidationError(_("This point is already on the rectification list."))
    group = point.observation.meeting.group
    _check_owner(group, owner)
    item = RectificationItem(
        organization=point.observation.organization, group=group, observation_point=point, finding=point.text,
        measures=measures, deadline=deadline, owner=owner, created_by=by,
    )
    return save_as(item, by=by)


@transaction.atomic
def item_transition(*, item: RectificationItem, action: str, note: str = "", by: User) -> RectificationItem:
    """Move an item along open → in progress → reported done → confirmed (回头看) or reopened."""
    require_perm(by, "reports.answer_item" if ITEM_SIDES[action] == "group" else "reports.inspect_item", item)
    item = locked(item)
    RectificationItem.transitions.require(item, action)
    now = timezone.now()
    if action in ("start", "report"):
        if action == "report" and not (note.strip() or item.progress.strip() or item.evidence.exists()):
            raise ValidationError({"note": _("Describe what was done, or attach evidence.")})
        if note.strip():
            stamp = date_format(timezone.localtime(now), "DATE_FORMAT")
            item.progress = (item.progress + "\n" if item.progress else "") + f"[{stamp}] {note.strip()}"
        if action == "report":
            item.reported_by, item.reported_at = by, now
    else:
        if action == "reopen" and not note.strip():
            raise ValidationError({"note": _("Say why the item is reopened.")})
        item.follow_up_note = note.strip()
        item.checked_by, item.checked_at = by, now
        if action == "reopen":
            item.reopened_count += 1
    RectificationItem.transitions.apply(item, action)
    return save_as(item, by=by)


@transaction.atomic
def evidence_add(*, item: RectificationItem, upload, by: User) -> RectificationEvidence:
    require_perm(by, "reports.answer_item", item)
    RectificationItem.transitions.require(item, "add_evidence")
    checked = check_upload(upload, "evidence", error_key="evidence")
    evidence = RectificationEvidence(
        item=item, original_name=checked.original_name, size=checked.size, uploaded_by=by
    )
    # The stored name is generated (upload_to); only the checked extension is kept.
    upload.name = f"upload{checked.extension}"
    evidence.file = upload
    return save_as(evidence, by=by)


# --- 述学 ------------------------------------------------------------------------------------


@transaction.atomic
def account_create(*, group: StudyGroup, year: int, by: User) -> StudyAccount:
    account = StudyAccount(group=group, year=year, created_by=by, title=_("%(group)s: report on the study of %(year)s") % {"group": group.organization.name, "year": year})
    if not _may_write_account(group, by):
        raise PermissionDenied
    if StudyAccount.objects.filter(group=group, year=year).exists():
        raise ValidationError(_("This group already has a 述学 report for this year."))
    account.title = account.title[:200]
    return save_as(account, by=by)


def _may_write_account(group: StudyGroup, user) -> bool:
    from members.models import Membership

    if scoping.managed_groups(user).filter(pk=group.pk).exists():
        return True
    return group.memberships.current().filter(
        user=user, role__in=[Membership.Role.LEADER, Membership.Role.SECRETARY]
    ).exists()


@transaction.atomic
def account_update(*, account: StudyAccount, by: User, title: str, text: str) -> StudyAccount:
    require_perm(by, "reports.manage_account", account)
    account = locked(account)
    StudyAccount.transitions.require(account, "edit")
    account.title, account.text = title, text
    account.version += 1
    return save_as(account, by=by)


@transaction.atomic
def account_submit(*, account: StudyAccount, by: User) -> StudyAccount:
    """Attach the year's figures and send the report to the supervising committee."""
    require_perm(by, "reports.manage_account", account)
    account = locked(account)
    StudyAccount.transitions.require(account, "submit")
    if not account.text.strip():
        raise ValidationError({"text": _("Write the report before submitting.")})
    account.figures = selectors.figures_for_group(account.group, year=account.year, period=Period.YEAR)
    StudyAccount.transitions.apply(account, "submit")
    account.submitted_to = Organization.objects.get_parent(account.group.organization)
    account.submitted_by, account.submitted_at = by, timezone.now()
    account.version += 1
    return save_as(account, by=by)


@transaction.atomic
def account_comment(*, account: StudyAccount, by: User, comment: str) -> StudyAccount:
    """点评 by a leader of the supervising committee."""
    require_perm(by, "reports.comment_account", account)
    account = locked(account)
    if not comment.strip():
        raise ValidationError({"comment": _("Write the comment.")})
    StudyAccount.transitions.apply(account, "comment")
    account.comment = comment
    account.commented_by, account.commented_at = by, timezone.now()
    account.version += 1  # the comment is part of the printed report
    return save_as(account, by=by)


# --- PDF builds ------------------------------------------------------------------------------

STALE_AFTER_SECONDS = 600


def build_request(*, document, by: User | None) -> tuple[DocumentBuild, bool]:
    """Ask for the PDF of the document's current version. Returns (build, started): a second
    request while one is queued or building returns that one and starts nothing; a failed or
    stale build is retried; a done build is returned as it is."""
    kind = DocumentBuild.kind_of(document)
    with transaction.atomic():
        try:
            with transaction.atomic():
                build = DocumentBuild.objects.create(
                    kind=kind, object_id=document.pk, version=document.version, requested_by=by
                )
            started = True
        except IntegrityError:
            build = DocumentBuild.objects.select_for_update().get(
                kind=kind, object_id=document.pk, version=document.version
            )
            stale = build.is_running and (timezone.now() - build.requested_at).total_seconds() > STALE_AFTER_SECONDS
            started = build.status == DocumentBuild.Status.FAILED or stale
            if started:
                build.status = DocumentBuild.Status.QUEUED
                build.error = ""
                build.requested_by = by
                build.requested_at = timezone.now()
                build.save()
        if started:
            build_id = build.pk
            transaction.on_commit(lambda: enqueue("reports.build_document_pdf", build_id=build_id))
    return build, started


def build_run(*, build_id: int) -> DocumentBuild:
    """Build the PDF of a build row (the Celery task calls this). Idempotent: a done build is
    left alone; a build another worker holds is not touched."""
    build, claimed = build_claim(DocumentBuild, build_id, stale_after=STALE_AFTER_SECONDS)
    if not claimed:
        return build
    try:
        document = build.document_model.objects.get(pk=build.object_id)
        if document.version != build.version:
            raise ValueError(
                _("The document has changed since (version %(now)s, asked for %(asked)s).")
                % {"now": document.version, "asked": build.version}
            )
        started = time.monotonic()
        # One stored PDF per version serves everyone, whoever asked and whether the worker or a
        # request builds it: the official copy, in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            data = render_document_pdf(document)
        pages = _count_pages(data)
        with transaction.atomic():
            build = DocumentBuild.objects.select_for_update().get(pk=build_id)
            build.file.save(f"{build.kind}.pdf", ContentFile(data), save=False)
            build.size, build.pages = len(data), pages
            build.status = DocumentBuild.Status.DONE
            build.error = ""
            build.finished_at = timezone.now()
            build.save()
        logger.info("built %s in %.2fs", build, time.monotonic() - started)
        return build
    except Exception as error:  # the reason is shown to the user, with a retry
        return build_failed(DocumentBuild, build_id, error)


def _count_pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def render_document_pdf(document, *, request=None) -> bytes:
    """The document's own page template, printed (A4, title, page numbers, CJK font)."""
    from reports import documents

    return documents.pdf(document, request=request)


def build_now(*, document, by: User | None, wait_seconds: float = 30.0) -> DocumentBuild:
    """The done build of the document's current version, building it in this process first if
    there is none (a download link works even when nobody clicked "generate"). A build the
    worker is running is waited for, up to ``wait_seconds``."""
    kind = DocumentBuild.kind_of(document)
    build, created = DocumentBuild.objects.get_or_create(
        kind=kind, object_id=document.pk, version=document.version, defaults={"requested_by": by}
    )
    if build.status == DocumentBuild.Status.DONE:
        return build
    if created or build.status == DocumentBuild.Status.FAILED:
        return build_run(build_id=build.pk)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        build.refresh_from_db()
        if not build.is_running:
            return build
        if build.status == DocumentBuild.Status.QUEUED and (timezone.now() - build.requested_at).total_seconds() > 5:
            # Queued but no worker took it: build it here (build_run is idempotent).
            return build_run(build_id=build.pk)
        time.sleep(0.3)
    return build

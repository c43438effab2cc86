"""Writes on members' own work. Each validates (``full_clean``), runs in a transaction, records
who did it (``_history_user``) and allows only these transitions::

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │   ▲
                 return │   │ submit (resubmission)
                        ▼   │
                      returned
    draft / submitted / returned ──withdraw──▶ withdrawn   (nothing is deleted)

The author writes and submits; a reviewer (the group's study secretary, or staff managing the
group) accepts or returns with a comment, and is never the author.
"""

from __future__ import annotations

import logging

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership, StudyGroup, User
from members.work import search, similarity
from members.work.models import FieldVisit, MemberWork, ResearchTopic, WorkKind
from members.work.text import plain_text, sanitize, word_count
from studygroup.mixins import require_perm
from studygroup.services import (
    build_claim,
    build_failed,
    build_progress,
    build_reuse_or_queue,
    import_claim,
    import_finish,
    locked,
    save_as,
)
from studygroup.uploads import check_upload

logger = logging.getLogger(__name__)

TEXT_KINDS = {WorkKind.NOTE, WorkKind.REFLECTION, WorkKind.RESEARCH, WorkKind.SELF_STUDY_PLAN}
CHECKED_KINDS = {WorkKind.NOTE, WorkKind.REFLECTION, WorkKind.RESEARCH}
EDITABLE_FIELDS = {
    "title", "body", "occurred_on", "meeting", "topic", "attachment", "research_topic", "adopted",
    "adoption_note", "outlet", "level", "url", "lecture_kind", "place", "audience", "audience_size",
}


def _is_member(user: User, group: StudyGroup) -> bool:
    return Membership.objects.current().filter(user=user, group=group).exists()


def _check_links(work: MemberWork) -> None:
    errors = {}
    if work.meeting_id and work.meeting.group_id != work.group_id:
        errors["meeting"] = _("Choose a meeting of the same study group.")
    if work.topic_id and work.topic.plan.group_id != work.group_id:
        errors["topic"] = _("Choose a topic of the group's own plan.")
    if work.research_topic_id and work.research_topic.group_id != work.group_id:
        errors["research_topic"] = _("Choose a research topic of the same study group.")
    if errors:
        raise ValidationError(errors)


def _derive(work: MemberWork) -> None:
    """Fields that follow from others: the date and year from the meeting, the clean body and
    its word count."""
    if work.meeting_id:
        work.occurred_on = timezone.localdate(work.meeting.starts_at)
    if work.kind == WorkKind.SELF_STUDY_PLAN:
        work.occurred_on = date(work.year, 1, 1)
    if work.occurred_on:
        work.year = work.occurred_on.year
    work.body, work.body_is_html = sanitize(work.body)
    work.word_count = word_count(plain_text(work.body, work.body_is_html))


def _attach(work: MemberWork, attachment) -> None:
    """A new file goes through the upload check and keeps its name as data (the stored name
    is random); clearing the file clears the name."""
    if attachment is None or attachment == "" or attachment is False:
        work.attachment = ""
        work.attachment_original_name = ""
        return
    if getattr(attachment, "_committed", False) is True:
        return  # the file already stored, unchanged
    checked = check_upload(attachment, "work_attachment", error_key="attachment")
    work.attachment_original_name = checked.original_name
    attachment.name = f"upload{checked.extension}"
    work.attachment = attachment


def _save(work: MemberWork, by: User) -> MemberWork:
    _derive(work)
    _check_links(work)
    save_as(work, by=by)
    search.index_work(work)
    return work


@transaction.atomic
def work_create(
    *,
    by: User,
    kind: str,
    group: StudyGroup,
    title: str,
    body: str = "",
    year: int | None = None,
    topics=(),
    **fields,
) -> MemberWork:
    """A new draft, written by ``by`` as a current member of ``group``."""
    if not _is_member(by, group):
        raise PermissionDenied
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    attachment = fields.pop("attachment", None)
    work = MemberWork(
        kind=kind, group=group, author=by, title=title, body=body,
        year=year or timezone.localdate().year, **fields,
    )
    _attach(work, attachment)
    _save(work, by)
    if kind == WorkKind.SELF_STUDY_PLAN and topics:
        work.topics.set(topics)
    return work


@transaction.atomic
def work_update(*, work: MemberWork, by: User, topics=None, **fields) -> MemberWork:
    """Change a draft or returned work: only its author."""
    work = locked(work)
    if work.author_id != by.pk:
        raise PermissionDenied
    MemberWork.transitions.require(work, "edit")
    unknown = set(fields) - EDITABLE_FIELDS - {"year"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "attachment" in fields:
        _attach(work, fields.pop("attachment"))
    for name, value in fields.items():
        setattr(work, name, value)
    _save(work, by)
    if topics is not None and work.kind == WorkKind.SELF_STUDY_PLAN:
        work.topics.set(topics)
    return work


def _ready_to_submit(work: MemberWork) -> None:
    errors = {}
    if work.kind in TEXT_KINDS and not work.body.strip() and not (work.kind == WorkKind.RESEARCH and work.attachment):
        errors["body"] = _("Write the text before submitting.")
    if work.kind == WorkKind.REFLECTION and not (work.meeting_id or work.topic_id):
        errors["meeting"] = _("Link the reflection to a meeting or a plan topic.")
    if work.kind == WorkKind.ARTICLE:
        if not work.outlet:
            errors["outlet"] = _("Say where the article was published.")
        if not work.level:
            errors["level"] = _("Choose the level of the publication.")
        if not work.occurred_on:
            errors["occurred_on"] = _("Give the publication date.")
    if work.kind == WorkKind.LECTURE:
        if not work.occurred_on:
            errors["occurred_on"] = _("Give the date of the lecture.")
        if not work.place:
            errors["place"] = _("Give the place of the lecture.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def work_submit(*, work: MemberWork, by: User) -> MemberWork:
    """Submit a draft, or resubmit returned work; a text is checked for copying."""
    work = locked(work)
    if work.author_id != by.pk:
        raise PermissionDenied
    MemberWork.transitions.require(work, "submit")
    _ready_to_submit(work)
    now = timezone.now()
    MemberWork.transitions.apply(work, "submit")
    work.submitted_at = now
    work.first_submitted_at = work.first_submitted_at or now
    work.submission_count += 1
    save_as(work, by=by)
    if work.kind in CHECKED_KINDS and work.has_text:
        text = plain_text(work.body, work.body_is_html)
        similarity.check(work, text=text)
        similarity.fingerprint_store(work, text=text)
    return work


def _review(work: MemberWork, by: User, move: str, comment: str) -> MemberWork:
    """Accept or return submitted work: a reviewer of its group who is not its author."""
    work = locked(work)
    if work.author_id == by.pk:
        raise PermissionDenied(_("Nobody reviews their own work."))
    require_perm(by, "work.review_work", work)
    MemberWork.transitions.apply(work, move)
    work.reviewed_by = by
    work.reviewed_at = timezone.now()
    work.review_comment = comment.strip()
    save_as(work, by=by)
    _tell_author(work, by=by, accepted=move == "accept")
    return work


def _tell_author(work: MemberWork, *, by: User, accepted: bool) -> None:
    """The author learns at once that their work was accepted or returned, with the comment
    (inbox, and e-mail by their preferences; never the group's robots: it is theirs alone)."""
    from django.conf import settings
    from django.utils import translation

    from members.notifications.models import NotificationKind
    from members.notifications.services import notification_send

    with translation.override(settings.LANGUAGE_CODE):
        values = {"kind": work.get_kind_display(), "title": work.title}
        title = (_("Your %(kind)s “%(title)s” was accepted") if accepted
                 else _("Your %(kind)s “%(title)s” was returned for revision")) % values
        lines = [_("Reviewed by %(who)s.") % {"who": by.get_full_name()}]
        if work.review_comment:
            lines.append(_("Comment: %(comment)s") % {"comment": work.review_comment})
        if not accepted:
            lines.append(_("Revise it and hand it in again."))
    notification_send(
        kind=NotificationKind.WORK_REVIEWED, obj=work, recipients=[work.author],
        occasion=f"{'accepted' if accepted else 'returned'}:{work.reviewed_at:%Y%m%d%H%M%S%f}",
        title=title, body="\n".join(lines), group=work.group, robots=False, by=by,
    )


@transaction.atomic
def work_accept(*, work: MemberWork, by: User, comment: str = "") -> MemberWork:
    return _review(work, by, "accept", comment)


@transaction.atomic
def work_return(*, work: MemberWork, by: User, comment: str) -> MemberWork:
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the work is returned.")})
    return _review(work, by, "return", comment)


@transaction.atomic
def work_withdraw(*, work: MemberWork, by: User) -> MemberWork:
    """The author takes work back; it stays in the records as withdrawn."""
    work = locked(work)
    if work.author_id != by.pk:
        raise PermissionDenied
    MemberWork.transitions.apply(work, "withdraw")
    save_as(work, by=by)
    return work


@transaction.atomic
def field_visit_add(
    *, report: MemberWork, by: User, visited_on: date, place: str, met_whom: str = "", notes: str = ""
) -> FieldVisit:
    if report.author_id != by.pk:
        raise PermissionDenied
    if report.kind != WorkKind.RESEARCH:
        raise ValidationError(_("Field visits belong to research reports."))
    MemberWork.transitions.require(report, "add_visit")
    visit = FieldVisit(report=report, visited_on=visited_on, place=place, met_whom=met_whom, notes=notes)
    save_as(visit, by=by)
    return visit


@transaction.atomic
def research_topic_get_or_create(
    *, by: User, group: StudyGroup, year: int, title: str, half: int = 1, description: str = ""
) -> ResearchTopic:
    """A research topic of the group's year: an existing one of that title, or a new one."""
    if not _is_member(by, group):
        raise PermissionDenied
    existing = ResearchTopic.objects.filter(group=group, year=year, title=title.strip()).first()
    if existing:
        return existing
    topic = ResearchTopic(
        group=group, year=year, half=half, title=title.strip(), description=description, created_by=by
    )
    save_as(topic, by=by)
    return topic


# --- compilations (心得体会汇编) built by the worker ---------------------------------------------

#: A build the worker has held this long without finishing is taken to be lost and may start again.
COMPILATION_STALE_AFTER_SECONDS = 15 * 60


def compilation_contents(group: StudyGroup, year: int, *, all_pieces: bool) -> tuple[int, str]:
    """(pieces, stamp): what a compilation of the group's year would hold now; the stamp changes
    whenever a piece is added, changed, accepted or withdrawn."""
    from django.db.models import Count, Max

    from members.work.models import WorkStatus

    statuses = [WorkStatus.SUBMITTED, WorkStatus.ACCEPTED] if all_pieces else [WorkStatus.ACCEPTED]
    found = MemberWork.objects.filter(group=group, year=year, status__in=statuses).aggregate(n=Count("pk"), last=Max("updated_at"))
    last = found["last"].isoformat() if found["last"] else "-"
    return found["n"], f"{found['n']}@{last}"[:80]


def compilation_build_request(*, group: StudyGroup, year: int, all_pieces: bool, by: User):
    """Ask the worker for the group's compilation PDF. The build of the same contents that is
    done, queued or building is returned as it is (a second click starts nothing); a failed or
    lost one, or one whose pieces have changed since, is built anew. Returns (build, started)."""
    from members.work.models import CompilationBuild

    require_perm(by, "work.export_group_work", group)
    pieces, contents = compilation_contents(group, year, all_pieces=all_pieces)
    return build_reuse_or_queue(
        CompilationBuild, task="work.build_compilation", stale_after=COMPILATION_STALE_AFTER_SECONDS,
        key={"group": group, "year": year, "all_pieces": all_pieces, "contents": contents},
        extra={"pieces": pieces, "requested_by": by},
    )


def compilation_build_run(*, build_id: int):
    """The worker's half: collect the pieces (as the person who asked may read them), lay them
    out, store the PDF; the progress is saved as it goes for the page that polls it."""
    import io
    import time

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.utils import translation
    from pypdf import PdfReader

    from members.work import exports, selectors
    from members.work.models import CompilationBuild

    build, claimed = build_claim(CompilationBuild, build_id, stale_after=COMPILATION_STALE_AFTER_SECONDS)
    if not claimed:
        return build

    def progress(value: int) -> None:
        build_progress(CompilationBuild, build_id, value)

    try:
        if build.requested_by is None:
            raise PermissionDenied
        work = list(selectors.group_year_work(build.group, build.year, build.requested_by, accepted_only=not build.all_pieces))
        progress(20)
        started = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            data = exports.compilation_pdf_bytes(build.group, build.year, work)
        progress(90)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        build.refresh_from_db()
        build.file.save(f"{build.group_id}-{build.year}.pdf", ContentFile(data), save=False)
        build.size, build.pages, build.pieces = len(data), pages, len(work)
        build.status, build.progress, build.error = CompilationBuild.Status.DONE, 100, ""
        build.finished_at = timezone.now()
        build.save()
        logger.info("compilation %s built in %.1fs: %s pages", build.pk, time.monotonic() - started, pages)
        return build
    except Exception as error:  # the reason is shown on the page, with a retry
        return build_failed(CompilationBuild, build_id, error)


# --- online-platform study (学习强国, 干部网络学院) ---------------------------------------------


def online_study_preview(
    *, by: User, data: bytes, filename: str, platform: str, period: date, columns: dict | None = None, save: bool = True,
):
    """Read and match a platform's export as ``by`` (writing no record). With ``save`` the file
    and its preview are kept for staff to confirm; returns (import or None, plan)."""
    from django.core.files.base import ContentFile

    from members import roster
    from members.work import online
    from members.work.models import OnlineStudyImport

    require_perm(by, "work.import_online_study")
    try:
        plan = online.plan_online_study(
            roster.read_roster(data, filename), by=by, platform=platform, period=period, columns=columns,
        )
    except roster.RosterError as error:
        raise ValidationError({"file": str(error)}) from error
    if not save:
        return None, plan
    record = OnlineStudyImport(
        created_by=by, platform=platform, period=plan.period, original_name=filename[:200],
        preview={**plan.as_json(), "rows": [row.as_dict() for row in plan.rows], "requested_columns": columns or {}},
    )
    record.file.save(filename, ContentFile(data), save=False)
    record.save()
    return record, plan


@transaction.atomic
def online_study_apply(*, by: User, online_import):
    """Write a previewed export in one transaction (the file is matched again first: what is
    written is what it means now)."""
    from members import roster
    from members.work import online
    from members.work.models import OnlineStudyImport
    from studygroup.signals import audit_event

    require_perm(by, "work.apply_online_study_import", online_import)
    record, data = import_claim(OnlineStudyImport, online_import.pk, refused=_("This file was imported already."))
    plan = online.plan_online_study(
        roster.read_roster(data, record.original_name), by=by, platform=record.platform, period=record.period,
        columns=record.preview.get("requested_columns") or None,
    )
    written = online.apply_online_study(plan, by=by, source=record)
    import_finish(record, {**plan.as_json(), "rows": [row.as_dict() for row in plan.rows], "written": written})
    audit_event.send(
        sender=OnlineStudyImport, action="create", actor=by, obj=record, organization=by.organization,
        detail=_("%(platform)s figures for %(month)s imported: %(written)s people written, %(unmatched)s rows unmatched.") % {
            "platform": record.get_platform_display(), "month": f"{record.period:%Y-%m}", "written": written,
            "unmatched": plan.counts()["unmatched"],
        },
    )
    return record, plan

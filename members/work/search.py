"""Full-text search that finds Chinese words: an application-kept bigram index.

Every text is cut into *units* (one Chinese character, or one run of Latin letters/digits) and
indexed as the bigrams of adjacent units plus each Latin/digit run by itself: "2024年青山县"
gives ``2024 2024年 年青 青山 山县``. A query is cut the same way and matches texts that have all
its tokens, so two-character words (most Chinese words) and mixed Chinese and digits ("十四五",
"5G基站", "2024年") are found without pg_bigm or zhparser.

Storage is ``SearchEntry.bigrams``, the tokens separated by spaces with a space at each end.
On PostgreSQL the migration adds a GIN index on ``array_to_tsvector(string_to_array(btrim(bigrams),
' '))`` (lexemes taken verbatim: no parser, no locale) and the query is ``@@ 'a' & 'b'``; on
SQLite the same tokens are matched with ``LIKE '% a %'``. Both give the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from members.work.models import MemberWork, SearchEntry
from members.work.text import plain_text

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK}]|[0-9a-z]+")
_CJK_CHAR = re.compile(rf"^[{_CJK}]$")
TSVECTOR_SQL = "array_to_tsvector(string_to_array(btrim({column}), ' '))"


class BigramsMatch(Func):
    """PostgreSQL: ``<bigrams as tsvector> @@ <query>::tsquery``, the expression of the GIN index
    (the migration creates it on exactly ``TSVECTOR_SQL``)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        sql = f"{TSVECTOR_SQL.format(column=column_sql)} @@ ({query_sql})::tsquery"
        return sql, [*column_params, *query_params]
MAX_TEXT = 60_000


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``, in order of first appearance, without repeats."""
    text = normalise(text)[:MAX_TEXT]
    seen: dict[str, None] = {}
    previous = None  # (unit, end) of the unit just before
    for match in _UNIT.finditer(text):
        unit = match.group(0)
        if not _CJK_CHAR.match(unit):
            seen.setdefault(unit, None)
        if previous is not None and previous[1] == match.start():
            seen.setdefault(previous[0] + unit, None)
        previous = (unit, match.end())
    return list(seen)


def query_tokens(query: str) -> list[str]:
    found = tokens(query)
    if not found:
        lone = [ch for ch in normalise(query) if _CJK_CHAR.match(ch)]
        return lone[:1]
    return found[:20]


def index_text(*, obj, title: str, text: str, group=None, year=None) -> SearchEntry:
    """Create or refresh the entry of ``obj``."""
    joined = " ".join(tokens(f"{title}\n{text}"))
    entry, _ = SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        defaults={"title": title[:200], "bigrams": f" {joined} ", "group": group, "year": year},
    )
    return entry


def index_work(work: MemberWork) -> SearchEntry:
    return index_text(
        obj=work, title=work.title, text=plain_text(work.body, work.body_is_html),
        group=work.group, year=work.year,
    )


def index_minutes(minutes) -> SearchEntry:
    meeting = minutes.meeting
    return index_text(
        obj=minutes, title=meeting.title, text=minutes.text, group=meeting.group,
        year=meeting.starts_at.year,
    )


def remove(obj) -> None:
    SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=obj.pk
    ).delete()


def matching_entries(query: str):
    """SearchEntry rows having every token of ``query`` (a queryset; empty for an empty query)."""
    wanted = query_tokens(query)
    entries = SearchEntry.objects.all()
    if not wanted:
        return entries.none()
    if len(wanted) == 1 and _CJK_CHAR.match(wanted[0]):
        # One Chinese character: not a token of its own; any bigram holding it will do.
        return entries.filter(bigrams__contains=wanted[0])
    if connection.vendor == "postgresql":
        tsquery = " & ".join("'%s'" % token for token in wanted)  # tokens are letters/digits/CJK only
        return entries.filter(BigramsMatch(F("bigrams"), Value(tsquery)))
    for token in wanted:
        entries = entries.filter(bigrams__contains=f" {token} ")
    return entries


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    group: str
    date: object
    snippet: str
    obj: object


def snippet(text: str, query: str, width: int = 60) -> str:
    """A piece of ``text`` around the first place the query (or its first token) occurs."""
    text = " ".join(text.split())
    lowered = normalise(text)
    needles = [normalise(query).strip()] + query_tokens(query)
    position = -1
    needle = ""
    for needle in needles:
        if needle and (position := lowered.find(needle)) >= 0:
            break
    if position < 0:
        return escape(text[: width * 2])
    start = max(0, position - width)
    end = min(len(text), position + len(needle) + width)
    piece = (
        escape(text[start:position])
        + f"<mark>{escape(text[position:position + len(needle)])}</mark>"
        + escape(text[position + len(needle):end])
    )
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(text) else ""))  # noqa: S308


# How many of the newest matching entries of the user's groups are looked at: a common word is in
# most of a province's million texts, and reading them all to sort them took half a minute.
CANDIDATES = 200
FEW_GROUPS = 500


def newest_matches(entries, content_type, groups: Q) -> list[int]:
    """Object ids of the newest ``CANDIDATES`` entries of ``content_type`` of the ``groups``. Newest by
    id: the database walks the (content type, object id) index backwards and stops early when a
    word is common, or takes the GIN index when it is rare."""
    return list(
        entries.filter(groups, content_type=content_type)
        .order_by("-object_id")
        .values_list("object_id", flat=True)[:CANDIDATES]
    )


def search(user, query: str, *, limit: int = 50) -> list[Hit]:
    """Work and meeting minutes the user may see that contain every word of ``query``: the newest
    matches of the groups the user sees or reviews (``CANDIDATES`` of each kind), then the
    object's own visibility rule."""
    from members import scoping
    from sessions.models import Minutes

    entries = matching_entries(query)
    seen = scoping.visible_groups(user).order_by().values("pk").union(
        scoping.reviewable_groups(user).order_by().values("pk")
    )
    few = [row["pk"] for row in seen[: FEW_GROUPS + 1]]
    # A county's few groups are given by id, so the database reads just their entries; a
    # province's groups hold most entries, so it walks the newest until it has enough.
    groups = Q(group__in=few) if len(few) <= FEW_GROUPS else (
        Q(group__in=scoping.visible_groups(user).values("pk")) | Q(group__in=scoping.reviewable_groups(user).values("pk"))
    )
    work_type = ContentType.objects.get_for_model(MemberWork)
    # The author's own work stays theirs to find after they leave its group.
    own = entries.filter(content_type=work_type, object_id__in=MemberWork.objects.filter(author=user).values("pk"))
    work_ids = newest_matches(entries, work_type, groups) + list(
        own.order_by("-object_id").values_list("object_id", flat=True)[:CANDIDATES]
    )
    minutes_ids = newest_matches(entries, ContentType.objects.get_for_model(Minutes), groups)
    works = (
        MemberWork.objects.visible_to(user)
        .filter(pk__in=work_ids)
        .exclude(status="withdrawn")
        .select_related("group", "author")
        .order_by("-created_at")[:limit]
    )
    minutes = (
        Minutes.objects.visible_to(user)
        .filter(pk__in=minutes_ids)
        .select_related("meeting__group")
        .order_by("-meeting__starts_at")[:limit]
    )
    hits = [
        Hit(
            kind=w.get_kind_display(), title=w.title, url=w.get_absolute_url(), group=w.group.name,
            date=w.occurred_on or w.created_at.date(), obj=w,
            snippet=snippet(plain_text(w.body, w.body_is_html), query),
        )
        for w in works
    ]
    from django.utils.translation import gettext as _

    hits += [
        Hit(
            kind=_("Meeting minutes"), title=m.meeting.title, url=m.meeting.get_absolute_url(),
            group=m.meeting.group.name, date=m.meeting.starts_at.date(), obj=m,
            snippet=snippet(m.text, query),
        )
        for m in minutes
    ]
    hits.sort(key=lambda hit: hit.date, reverse=True)
    return hits[:limit]


def reindex_all() -> int:
    """Rebuild every entry (``manage.py rebuild_search_index``)."""
    from sessions.models import Minutes

    count = 0
    for work in MemberWork.objects.select_related("group").iterator():
        index_work(work)
        count += 1
    for minutes in Minutes.objects.select_related("meeting__group").iterator():
        index_minutes(minutes)
        count += 1
    return count

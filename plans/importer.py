"""Parse an annual study plan (年度学习计划) into title, sections and topics.

Pure Python on purpose: no Django imports, so it can be unit-tested and
reused (views, management commands) without a configured project.
python-docx is imported lazily, only when a .docx is parsed.

Shape of a typical plan::

    中共XX县委理论学习中心组2021年度学习计划      <- title
    (opening paragraph)                          <- preamble
    一、指导思想 / 二、目标要求 / ...             <- top-level sections
    三、学习内容                                 <- content section
      第一专题：…… / （一）…… / 专题一 …… / 1.……  <- topics
    四、学习形式 (1. 2. 3. items stay text)       <- other sections
    附件：学习计划安排表 (rows)                   <- attachment section

Section headings may also be unnumbered known words (指导思想, 学习内容…),
in which case topics may be numbered 一、二、… at the second level.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "ParsedSection",
    "ParsedTopic",
    "ParsedPlan",
    "PlanImportError",
    "parse_plan_text",
    "parse_plan_docx",
    "parse_plan_file",
]


class PlanImportError(ValueError):
    """The uploaded file cannot be read as a plan (wrong type, corrupt .docx)."""


@dataclass
class ParsedSection:
    heading: str
    text: str


@dataclass
class ParsedTopic:
    label: str
    title: str
    description: str


@dataclass
class ParsedPlan:
    title: str
    year: int | None
    preamble: str
    sections: list[ParsedSection] = field(default_factory=list)
    topics: list[ParsedTopic] = field(default_factory=list)
    # Lines that could not be placed; shown to the user, never silently dropped.
    unplaced: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "year": self.year,
            "preamble": self.preamble,
            "sections": [asdict(s) for s in self.sections],
            "topics": [asdict(t) for t in self.topics],
            "unplaced": list(self.unplaced),
        }


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

# Headings of the section that holds the study topics.
CONTENT_KEYWORDS = (
    "学习内容", "重点内容", "学习重点", "主要内容", "学习专题", "专题学习",
    "专题安排", "内容安排", "学习篇目",
)
# Other headings plans use; lets unnumbered headings be recognised and keeps
# numbered lists inside these sections out of the topics.
OTHER_SECTION_KEYWORDS = (
    "指导思想", "总体要求", "目标要求", "目标任务", "学习目标", "主要目标", "基本原则",
    "学习形式", "学习方式", "方式方法", "学习方法", "组织形式", "学习制度", "学习措施",
    "学习安排", "时间安排", "保障措施", "工作要求", "有关要求", "学习要求", "具体要求",
    "相关要求", "工作措施", "组织领导", "组织保障", "组织实施", "理论宣讲", "理论研究",
    "研究阐释", "调查研究", "调研课题", "宣传报道", "督促检查", "督查考核", "考核评估",
)
SECTION_KEYWORDS = CONTENT_KEYWORDS + OTHER_SECTION_KEYWORDS

# A heading is a short phrase; longer numbered lines are sentences.
MAX_BARE_HEADING_LEN = 12
MAX_INLINE_HEADING_LEN = 20
MAX_TITLE_LEN = 60

_CN = "[一二三四五六七八九十百零〇两]+"
_DIGITS = "[0-9０-９]{1,2}"
_LP, _RP = "[(（]", "[)）]"
_SEP = r"[\s:：、.．,，]*"

# Numbering styles, tried in order. Group "label" is the numbering as written,
# group "num" the number, group "rest" the text after it.
_STYLES: list[tuple[str, re.Pattern]] = [
    # 第一专题：…  第1专题 …  第一讲 …
    ("di_zhuanti", re.compile(rf"^(?P<label>第\s*(?P<num>{_CN}|{_DIGITS})\s*(?:专题|讲))(?P<sep>{_SEP})(?P<rest>.*)$")),
    # 专题一：… (needs a separator so "专题十分重要" is not a label)
    ("zhuanti_n", re.compile(rf"^(?P<label>专题\s*(?P<num>{_CN}|{_DIGITS}))(?P<sep>[\s:：、.．]+|$)(?P<rest>.*)$")),
    # 第一部分 指导思想
    ("di_part", re.compile(rf"^(?P<label>第\s*(?P<num>{_CN})\s*(?:部分|章))(?P<sep>{_SEP})(?P<rest>.*)$")),
    # 一、指导思想  一．指导思想
    ("cn_dun", re.compile(rf"^(?P<label>(?P<num>{_CN})\s*[、.．])(?P<sep>\s*)(?P<rest>.*)$")),
    # （一）…  (一)…
    ("cn_paren", re.compile(rf"^(?P<label>{_LP}\s*(?P<num>{_CN})\s*{_RP})(?P<sep>[\s、.．:：]*)(?P<rest>.*)$")),
    # 1. …  1、…  １．… (not "1.5万", not a date)
    ("arabic_dot", re.compile(rf"^(?P<label>(?P<num>{_DIGITS})\s*[.．、](?![0-9０-９]))(?P<sep>\s*)(?P<rest>.*)$")),
    # (1) …  1) …  ① …
    ("arabic_paren", re.compile(
        rf"^(?P<label>{_LP}\s*(?P<num>{_DIGITS})\s*{_RP}|(?P<num2>{_DIGITS})\s*[)）]|(?P<circled>[①-⑳]))(?P<sep>\s*)(?P<rest>.*)$"
    )),
]
TOPIC_ONLY_STYLES = {"di_zhuanti", "zhuanti_n"}
TOP_LEVEL_STYLES = {"di_part", "cn_dun"}

_PAGE_NUMBER_RES = [
    re.compile(r"^[-—–~·\s]*\d{1,4}[-—–~·\s]*$"),  # "- 3 -", "—3—", "3"
    re.compile(r"^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$"),  # 第 3 页（共 9 页）
    re.compile(r"^\d+\s*/\s*\d+$"),  # 3/9
    re.compile(r"^page\s*\d+(\s*of\s*\d+)?$", re.IGNORECASE),
]
# Web page furniture copied along with the plan.
_BOILERPLATE_RE = re.compile(
    r"ICP备|版权所有|copyright|©|责任编辑|^来源[:：]|^发布时间[:：]|^浏览次数|"
    r"打印本页|关闭窗口|扫一扫|分享到|【\s*打印\s*】|字号[:：]?\s*大\s*中\s*小",
    re.IGNORECASE,
)
_MEANINGFUL_RE = re.compile(r"[\w\u4e00-\u9fff]")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CN_YEAR_RE = re.compile(r"([一二][〇○零Ｏ一二三四五六七八九]{3})\s*年")
# "附件", "附件1", "附件：名称", "附件2 名称" — not a sentence that starts with 附件.
_ATTACHMENT_RE = re.compile(r"^附\s*件\s*(?:[0-9０-９一二三四五六七八九十]+\s*)?(?:[:：\s]\s*(?P<name>.*))?$")
_TABLE_TITLE_RE = re.compile(r"(安排表|计划表|一览表|进度表)$")

_BLOCK_TAG_RE = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?ul|/?ol|/?table)\b[^<>]*>", re.IGNORECASE)
_CELL_TAG_RE = re.compile(r"<\s*/\s*t[dh]\s*>", re.IGNORECASE)
# Only ASCII tag names, so Chinese text in <…> book-title marks survives.
_TAG_RE = re.compile(
    r"</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>"  # <p>, </span>, <br/>, <p style="…">
    r"|<![^<>]*>"  # <!-- comments -->, <!DOCTYPE>
    r"|<\s*[a-zA-Z][^<>=\u4e00-\u9fff]*=[^<>\u4e00-\u9fff]*>"  # broken: < span style="…">
    r"|</?[a-zA-Z][\w-]*(?=<)|<\s*>"  # leftovers of broken tags: "<xx<", "<>"
)
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t\xa0\u3000\u2002-\u200a\u202f\u205f]+")

_OPENERS = "“‘《（(〈「『【〔["
_CLOSERS = "”’》）)〉」』】〕]"


# ---------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    # Table rows are data, never headings or topics.
    from_table: bool = False


def _clean_markup(text: str) -> str:
    """Undo copy-paste debris: line endings, HTML tags and entities, invisibles."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\u2028\u2029\x0b\x0c\x85]", "\n", text)
    if "<" in text:
        text = _BLOCK_TAG_RE.sub("\n", text)
        text = _CELL_TAG_RE.sub("\t", text)
        text = _TAG_RE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return _INVISIBLE_RE.sub("", text)


def _split_lines(text: str, from_table: bool = False) -> list[_Line]:
    lines = []
    for raw in _clean_markup(text).split("\n"):
        line = _SPACES_RE.sub(" ", raw).strip()
        if line:
            lines.append(_Line(line, from_table))
    return lines


def _is_page_number(line: str) -> bool:
    folded = unicodedata.normalize("NFKC", line).strip()
    return any(r.match(folded) for r in _PAGE_NUMBER_RES)


def _cn_to_int(s: str) -> int | None:
    """一 → 1, 十五 → 15, 二十三 → 23; also plain (full-width) digits."""
    s = unicodedata.normalize("NFKC", s).replace(" ", "")
    if s.isdigit():
        return int(s)
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    total, current = 0, 0
    for ch in s:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _find_year(text: str) -> int | None:
    folded = unicodedata.normalize("NFKC", text)
    m = _YEAR_RE.search(folded)
    if m:
        return int(m.group(1))
    m = _CN_YEAR_RE.search(text)
    if m:
        table = str.maketrans("〇○零Ｏ一二三四五六七八九", "0000123456789")
        return int(m.group(1).translate(table))
    return None


# ---------------------------------------------------------------------------
# Line classification
# ---------------------------------------------------------------------------


@dataclass
class _Numbered:
    style: str
    label: str  # as written, whitespace removed
    number: int | None
    rest: str  # text after the label and its separator


def _match_numbered(line: str) -> _Numbered | None:
    for style, pattern in _STYLES:
        m = pattern.match(line)
        if not m:
            continue
        label = re.sub(r"\s+", "", m.group("label"))
        if style == "arabic_paren" and m.group("circled"):
            number = ord(m.group("circled")) - ord("①") + 1
        else:
            number = _cn_to_int(m.group("num") or m.group("num2") or "")
        return _Numbered(style, label, number, m.group("rest").strip())
    return None


def _strip_heading(text: str) -> str:
    return text.strip().strip("【】〔〕[]").rstrip(":：。 ").strip()


def _known_heading(text: str) -> bool:
    heading = _strip_heading(text)
    return len(heading) <= MAX_BARE_HEADING_LEN and any(k in heading for k in SECTION_KEYWORDS)


def _is_bare_heading(line: str) -> bool:
    """An unnumbered line such as "指导思想" or "学习内容：" on its own.

    "学习形式：集中学习" is a field inside a topic, not a heading.
    """
    return not re.search("[。，,；;]|[:：].", line.strip()) and _known_heading(line)


def _is_content_heading(heading: str) -> bool:
    return any(k in heading for k in CONTENT_KEYWORDS)


def _split_first_sentence(text: str) -> tuple[str, str]:
    """Split at the first 。 or ： outside quotes/brackets: (head, rest)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "。：:":
            return text[:i].strip(), text[i + 1:].strip()
    return text.strip(), ""


def _tidy_title(text: str) -> str:
    return text.strip().rstrip("，,；;、 ")


def _split_heading(rest: str) -> tuple[str, str]:
    """"指导思想。坚持……" → ("指导思想", "坚持……"); long lines stay whole."""
    head, tail = _split_first_sentence(rest)
    if tail and len(head) <= MAX_INLINE_HEADING_LEN:
        return _strip_heading(head), tail
    return _strip_heading(rest), ""


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


@dataclass
class _Builder:
    """Accumulates the plan while walking the lines once, top to bottom."""

    preamble: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    topics: list[tuple[str, str, list[str]]] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    top_style: str | None = None  # numbering style of top-level headings, or "bare"
    section_number: int | None = None
    in_content: bool = False
    in_attachment: bool = False
    # "all" | "zhuanti_only" | "none"; before any section only 专题 labels count.
    topics_allowed: str = "zhuanti_only"
    topic_style: str | None = None
    next_topic_number: int | None = None
    in_topic: bool = False

    # -- targets ---------------------------------------------------------
    def add_text(self, text: str) -> None:
        if self.in_topic:
            label, title, desc = self.topics[-1]
            if not title:  # "第一专题" alone on its line: the next line holds the title
                head, tail = _split_first_sentence(text)
                self.topics[-1] = (label, _tidy_title(head), desc)
                if tail:
                    desc.append(tail)
            else:
                desc.append(text)
        elif self.sections:
            self.sections[-1][1].append(text)
        else:
            self.preamble.append(text)

    def start_section(self, heading: str, first_text: str = "", number: int | None = None,
                      style: str | None = None) -> None:
        self.sections.append((heading, [first_text] if first_text else []))
        if self.top_style is None and style is not None:
            self.top_style = style
        self.section_number = number
        self.in_content = _is_content_heading(heading)
        if self.in_content:
            self.topics_allowed = "all"
        elif _known_heading(heading):
            self.topics_allowed = "none"
        else:  # unknown heading: only unambiguous 专题 labels become topics
            self.topics_allowed = "zhuanti_only"
        self.topic_style = None
        self.next_topic_number = None
        self.in_topic = False

    def start_topic(self, item: _Numbered) -> None:
        head, tail = _split_first_sentence(item.rest)
        self.topics.append((item.label, _tidy_title(head), [tail] if tail else []))
        self.topic_style = item.style
        self.next_topic_number = item.number + 1 if item.number is not None else None
        self.in_topic = True

    def start_attachment(self, name: str) -> None:
        self.start_section(name or "附件")
        self.topics_allowed = "none"
        self.in_attachment = True

    # -- decisions -------------------------------------------------------
    def is_next_section(self, item: _Numbered) -> bool:
        """Does a top-level-style number (一、…) start the next section?

        Section numbers only go forward, so a number that goes back
        (四、工作要求 → 一、…) is a list inside the current section.
        Inside a content section, topics may restart the top-level numbering
        (三、学习内容 → 一、… 二、… 三、…); there a line is the next section
        when its number continues the sections and not the topics, or when
        both fit and it reads like a section heading ("四、学习形式").
        """
        forward = self.section_number is None or (item.number or 0) > self.section_number
        if not self.in_content or self.topic_style != item.style:
            if self.in_content and self.topic_style is None and item.number == 1:
                return False  # first topic of a restarted numbering
            return forward
        if self.section_number is None or item.number != self.section_number + 1:
            return False
        if item.number != self.next_topic_number:
            return True
        head, _ = _split_heading(item.rest)
        return _known_heading(head) or len(head) <= 6

    def feed(self, line: _Line) -> None:
        text = line.text
        if not line.from_table and _is_page_number(text) and not (self.in_attachment and text.isdigit()):
            return  # page furniture; a bare number in the 安排表 is a row number
        if not _MEANINGFUL_RE.search(text) or _BOILERPLATE_RE.search(text):
            self.unplaced.append(text)
            return
        if line.from_table or self.in_attachment:
            self.add_text(text)
            return

        # Attachments (the 安排表) close the plan: everything after them is table data.
        attachment = _ATTACHMENT_RE.match(text)
        if attachment and len(text) <= MAX_TITLE_LEN:
            self.start_attachment((attachment.group("name") or "").strip())
            return
        if len(text) <= MAX_TITLE_LEN and not re.search("[。，,]", text) and _TABLE_TITLE_RE.search(text):
            self.start_attachment(text)
            return

        item = _match_numbered(text)
        if item is None:
            if _is_bare_heading(text) and not self.is_lead_in(text):
                self.start_section(_strip_heading(text), style="bare")
            else:
                self.add_text(text)
            return

        if item.style in TOP_LEVEL_STYLES and self.top_style in (None, item.style):
            if self.is_next_section(item):
                heading, first_text = _split_heading(item.rest)
                self.start_section(heading, first_text, item.number, item.style)
                return

        if self.is_topic(item):
            self.start_topic(item)
        else:
            self.add_text(text)

    def is_lead_in(self, text: str) -> bool:
        """Inside a topic, "学习篇目：" introduces a list; content sections do not nest."""
        return self.in_topic and (text.rstrip().endswith(("：", ":")) or _is_content_heading(text))

    def is_topic(self, item: _Numbered) -> bool:
        if self.topics_allowed == "none":
            return False
        if item.style in TOPIC_ONLY_STYLES:
            return self.topic_style in (None, item.style)
        if self.topics_allowed != "all":
            return False
        # The first numbered style met in the content section is the topic style;
        # deeper lists (1. under （一）) then stay in the topic's description.
        return self.topic_style in (None, item.style)

    # -- result ----------------------------------------------------------
    def build(self, title: str, year: int | None) -> ParsedPlan:
        topics = [ParsedTopic(label, title_, "\n".join(desc)) for label, title_, desc in self.topics]
        _unify_paren_width(topics)
        return ParsedPlan(
            title=title,
            year=year,
            preamble="\n".join(self.preamble),
            sections=[ParsedSection(h, "\n".join(body)) for h, body in self.sections],
            topics=topics,
            unplaced=self.unplaced,
        )


def _unify_paren_width(topics: list[ParsedTopic]) -> None:
    """Mixed （一）/(二) labels take the document's majority form (full-width on a tie)."""
    full = sum(t.label.startswith("（") for t in topics)
    half = sum(t.label.startswith("(") for t in topics)
    if not (full and half):
        return
    table = str.maketrans("()", "（）") if full >= half else str.maketrans("（）", "()")
    for topic in topics:
        topic.label = topic.label.translate(table)


def _is_heading_line(line: _Line) -> bool:
    if line.from_table:
        return False
    item = _match_numbered(line.text)
    if item and item.style in TOP_LEVEL_STYLES:
        return True
    return _is_bare_heading(line.text)


def _is_title_candidate(text: str, words: tuple[str, ...]) -> bool:
    # "具体安排如下：" and sentences are body text, not titles.
    return (any(w in text for w in words) and len(text) <= MAX_TITLE_LEN
            and not re.search("[。，]|[:：]$", text))


# Plans are usually titled …学习计划; some call themselves 安排/要点/方案.
_TITLE_WORDS = (("计划",), ("安排", "要点", "方案", "意见"))


def _find_title(lines: list[_Line]) -> tuple[int | None, int]:
    """Index range of the title (start, end-exclusive); start None if no title.

    Looks only above the first section heading, so "学习计划安排表" at the end
    of a title-less document is not taken for the title.
    """
    first_heading = next((i for i, ln in enumerate(lines) if _is_heading_line(ln)), len(lines))
    head = lines[:first_heading]
    for words in _TITLE_WORDS:
        for i, line in enumerate(head):
            if line.from_table or _is_page_number(line.text) or not _is_title_candidate(line.text, words):
                continue
            # Titles are often broken in two: "中共XX县委理论学习中心组" / "2021年度学习计划".
            prev = head[i - 1].text if i > 0 else ""
            if prev and re.match(r"^[0-9０-９]{4}\s*年|^(年度)?(理论)?学习", line.text) \
                    and len(prev) <= 30 and not re.search("[。，,：:]", prev) \
                    and not _is_page_number(prev) and not _ATTACHMENT_RE.match(prev):
                return i - 1, i + 1
            return i, i + 1
    # Fallback: a short first line that is not a sentence.
    for i, line in enumerate(head):
        if _is_page_number(line.text):
            continue
        if len(line.text) <= MAX_TITLE_LEN and not re.search("[。，,]", line.text) \
                and _MEANINGFUL_RE.search(line.text) and not _BOILERPLATE_RE.search(line.text):
            return i, i + 1
        break
    return None, 0


def _parse_lines(lines: list[_Line]) -> ParsedPlan:
    start, end = _find_title(lines)
    builder = _Builder()
    if start is None:
        title = ""
    else:
        title = "".join(ln.text for ln in lines[start:end])
        # Anything above the title (document numbers, web navigation) is not the plan.
        builder.unplaced.extend(ln.text for ln in lines[:start] if not _is_page_number(ln.text))
    for line in lines[end:]:
        builder.feed(line)
    year = _find_year(title) or _find_year("\n".join(ln.text for ln in lines))
    return builder.build(title, year)


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def parse_plan_text(text: str) -> ParsedPlan:
    """Parse plain text (possibly pasted from a web page)."""
    return _parse_lines(_split_lines(text))


def parse_plan_docx(file_or_path) -> ParsedPlan:
    """Parse a .docx (path or file-like). Paragraphs and tables, in document order."""
    try:
        import docx
        from docx.table import Table
    except ImportError as exc:  # pragma: no cover - python-docx is a requirement
        raise PlanImportError("python-docx is not installed") from exc
    try:
        document = docx.Document(file_or_path)
    except Exception as exc:  # corrupt zip, not a Word file, …
        raise PlanImportError(f"not a readable .docx file: {exc}") from exc

    lines: list[_Line] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.extend(_split_lines(block.text))
    return _parse_lines(lines)


def _table_lines(table) -> list[_Line]:
    """One line per row, cells joined by " | "; merged cells counted once."""
    lines = []
    for row in table.rows:
        cells, seen = [], []  # keep the elements alive: identity, not id(), is reliable
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            cells.append(_SPACES_RE.sub(" ", _clean_markup(cell.text).replace("\n", " ")).strip())
        row_text = " | ".join(c for c in cells if c)
        if row_text:
            lines.append(_Line(row_text, from_table=True))
    return lines


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad "Unicode"
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Chinese Windows saves as GBK/GB2312; GB18030 is a superset of both.
        return data.decode("gb18030", errors="replace")


def parse_plan_file(name: str, data: bytes) -> ParsedPlan:
    """Dispatch on the file extension: .docx or .txt."""
    suffix = Path(name or "").suffix.lower()
    if suffix == ".docx":
        return parse_plan_docx(io.BytesIO(data))
    if suffix == ".txt":
        return parse_plan_text(_decode_text(data))
    if suffix == ".doc":
        raise PlanImportError("old .doc files are not supported; save the file as .docx")
    raise PlanImportError(f"unsupported file type {suffix or name!r}; use .docx or .txt")

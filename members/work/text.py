"""Bodies of members' work: plain text with paragraphs, or rich text sanitised with nh3 (never
raw HTML); plain-text extraction for search and copy checks; a word count where every Chinese
character counts as a word (the way Chinese offices count 字数)."""

import html
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
}
_HTML_HINT = re.compile(r"</?(p|br|div|span|strong|b|em|i|u|ul|ol|li|h[1-6]|blockquote|table|font)\b", re.I)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote)\s*>|<br\s*/?>", re.I)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text or ""))


def sanitize(text: str) -> tuple[str, bool]:
    """The body to store and whether it is (sanitised) HTML. Plain text is kept as typed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not looks_like_html(text):
        return text, False
    cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes={}, strip_comments=True).strip()
    return cleaned, True


def plain_text(body: str, is_html: bool) -> str:
    """The text without markup, one paragraph a line."""
    if not body:
        return ""
    if not is_html:
        return body
    text = _BLOCK_END.sub("\n", body)
    text = nh3.clean(text, tags=set(), attributes={})
    text = html.unescape(text)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def word_count(text: str) -> int:
    return len(_WORDS.findall(text or ""))


def render(body: str, is_html: bool) -> SafeString:
    """Safe HTML of a body: sanitised again on output, or plain paragraphs."""
    if is_html:
        return mark_safe(nh3.clean(body or "", tags=ALLOWED_TAGS, attributes={}))  # noqa: S308
    paragraphs = [line.strip() for line in (body or "").split("\n") if line.strip()]
    return mark_safe("".join(f"<p>{escape(p)}</p>" for p in paragraphs))  # noqa: S308


def highlight(text: str, spans) -> SafeString:
    """``text`` escaped, with the ``[start, end)`` spans wrapped in <mark>, paragraphs kept."""
    out, position = [], 0
    for start, end in sorted(spans or []):
        if start < position:
            start = position
        if end <= start:
            continue
        out.append(escape(text[position:start]))
        out.append(f'<mark class="copy-mark">{escape(text[start:end])}</mark>')
        position = end
    out.append(escape(text[position:]))
    joined = "".join(out)
    paragraphs = [p for p in joined.split("\n") if p.strip()]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S308

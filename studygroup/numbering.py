"""Numbers of headings and items the way Chinese documents write them (一、二、…; （一）（二）…),
and the plain 1. 2. … in other languages."""

from django.utils import translation

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 17 → 十七, 21 → 二十一 (up to ninety-nine; larger numbers stay digits)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def heading_number(n: int) -> str:
    """The number before a first-level heading: 一、 in Chinese, 1. otherwise."""
    if (translation.get_language() or "").startswith("zh"):
        return f"{cn_number(n)}、"
    return f"{n}. "


def numbered_headings(sections) -> dict[str, str]:
    """``[(key, heading) or None, …]`` → ``{key: "一、heading", …}``, numbered in order over the
    sections present (a document without its second section reads 一、二、, never 一、三、)."""
    present = [section for section in sections if section]
    return {key: f"{heading_number(n)}{heading}" for n, (key, heading) in enumerate(present, start=1)}

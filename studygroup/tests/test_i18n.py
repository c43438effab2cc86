"""The Simplified Chinese catalogue: complete, up to date with the code, and actually used.

The interface is in Chinese by default (LANGUAGE_CODE zh-hans) with English msgids, so an
untranslated or missing string shows up as English in front of county staff. These tests read
locale/zh_Hans/LC_MESSAGES/django.po with a small parser (polib is not a dependency) and scan
templates and Python sources with simple regular expressions for literal strings; after adding
strings run

    DEBUG=1 .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv \
        --ignore=staticfiles --add-location=file
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv

and translate the new entries.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
SKIP_DIRS = {".venv", "venv", "node_modules", "staticfiles", "media", ".test-media", "__pycache__", ".git"}


# --- reading the .po -------------------------------------------------------------------------

_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _PO_ESCAPES.get(m[1], "\\" + m[1]), text[1:-1])


def parse_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags, line.

    Obsolete entries (``#~``) are left out; the header (empty msgid) is included.
    """
    entries = []
    entry, field = None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "line": number}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword, index, value = match[1], match[2], _unquote(match[3])
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = value
            else:
                field = (keyword, None)
                entry[keyword] = value
            if "msgid" not in entry and keyword != "msgctxt":
                raise ValueError(f"{path}:{number}: {keyword} before msgid")
        elif line.startswith('"') and field is not None:
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l zh_Hans"
    return parse_po(PO_PATH)


def _messages(entries):
    return [e for e in entries if e["msgid"] != ""]


def _header(entries):
    headers = [e for e in entries if e["msgid"] == "" and "msgctxt" not in e]
    assert headers, "the catalogue has no header entry"
    return dict(
        line.split(":", 1) for line in headers[0]["msgstr"].get(0, "").splitlines() if ":" in line
    )


# --- scanning the sources --------------------------------------------------------------------

def _walk(suffix, under_templates=False):
    """Project files ending in ``suffix``, without walking into .venv and the like."""
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        relative = Path(root).relative_to(BASE_DIR)
        if under_templates and "templates" not in relative.parts:
            continue
        for name in sorted(files):
            if name.endswith(suffix):
                yield Path(root) / name


_QUOTED = r"(\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
TRANSLATE_TAG = re.compile(r"\{%\s*(?:translate|trans)\s+" + _QUOTED + r"(.*?)%\}", re.S)
BLOCK_TAG = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(?P<options>[^%]*)%\}(?P<body>.*?)"
    r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")
PY_CALL = re.compile(r"(?<![\w.])(?:_|gettext|gettext_lazy|gettext_noop)\(\s*" + _QUOTED + r"\s*[,)]")


def _block_msgid(options, body):
    """The msgid Django's makemessages makes of a simple {% blocktranslate %}, or None."""
    if "context" in options.split():
        return None
    singular = PLURAL_TAG.split(body)[0]
    if "{%" in singular:
        return None  # other tags inside: not a simple block, leave it to makemessages
    if "trimmed" in options.split():
        singular = " ".join(line.strip() for line in singular.strip().splitlines() if line.strip())
    singular = singular.replace("%", "%%")
    return VARIABLE.sub(lambda m: f"%({m[1]})s", singular)


def template_strings():
    """(msgid, where) for literal {% translate %} and simple {% blocktranslate %} in templates."""
    found = []
    for path in _walk(".html", under_templates=True):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(BASE_DIR))
        for match in TRANSLATE_TAG.finditer(text):
            literal, rest = match[1], match[2]
            if "context" in rest.split() or "\\" in literal:
                continue
            found.append((literal[1:-1].replace("%", "%%"), where))
        for match in BLOCK_TAG.finditer(text):
            msgid = _block_msgid(match["options"], match["body"])
            if msgid:
                found.append((msgid, where))
    return found


def python_strings():
    """(msgid, where) for single-literal _("..."), gettext("...") and gettext_lazy("...") calls."""
    found = []
    for path in _walk(".py"):
        relative = path.relative_to(BASE_DIR)
        if "migrations" in relative.parts or "tests" in relative.parts or relative.name.startswith("test_"):
            continue
        text = path.read_text(encoding="utf-8")
        for match in PY_CALL.finditer(text):
            try:
                value = ast.literal_eval(match[1])
            except (ValueError, SyntaxError):
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append((value, f"{relative}:{line}"))
    return found


# --- the tests -------------------------------------------------------------------------------

def test_header_is_filled_in(po_entries):
    header = _header(po_entries)
    assert header.get("Language", "").strip() == "zh_Hans"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").strip().startswith("nplurals=1;")


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    messages = _messages(po_entries)
    assert messages, "the catalogue is empty"
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", _header(po_entries)["Plural-Forms"])[1])
    untranslated, fuzzy = [], []
    for entry in messages:
        label = f"line {entry['line']}: {entry['msgid']!r}"
        if "fuzzy" in entry["flags"]:
            fuzzy.append(label)
        forms = entry["msgstr"]
        expected = range(nplurals) if "msgid_plural" in entry else [0]
        if not forms or any(not forms.get(i, "").strip() for i in expected):
            untranslated.append(label)
    problems = []
    if untranslated:
        problems.append("untranslated:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append("fuzzy:\n  " + "\n  ".join(fuzzy))
    assert not problems, "\n".join(problems)


def test_placeholders_are_kept(po_entries):
    """Every %(name)s in an msgid is in its translation too (msgfmt --check-format, in Python)."""
    placeholder = re.compile(r"%\((\w+)\)[sd]|%[sd]")
    wrong = []
    for entry in _messages(po_entries):
        wanted = sorted(placeholder.findall(entry.get("msgid_plural", entry["msgid"])))
        for index, text in entry["msgstr"].items():
            if text and sorted(placeholder.findall(text)) != wanted:
                wrong.append(f"line {entry['line']}: {entry['msgid']!r} → msgstr[{index}] {text!r}")
    assert not wrong, "placeholders differ:\n  " + "\n  ".join(wrong)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalogue(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_catalogue_has_every_literal_string_of_the_code(po_entries):
    known = {e["msgid"] for e in po_entries if "msgctxt" not in e}
    strings = template_strings() + python_strings()
    assert len(strings) > 20, "the scan found almost nothing: are the patterns still right?"
    missing = {}
    for msgid, where in strings:
        if msgid not in known:
            missing.setdefault(msgid, []).append(where)
    assert not missing, (
        "not in locale/zh_Hans/LC_MESSAGES/django.po (run makemessages and translate them):\n  "
        + "\n  ".join(f"{msgid!r}  ({', '.join(sorted(set(places)))})" for msgid, places in sorted(missing.items()))
    )


def test_compiled_catalogue_is_current(po_entries):
    """django.mo (not in git; compilemessages and scripts/setup make it) says what django.po says."""
    assert MO_PATH.exists(), f"{MO_PATH.name} is missing: run compilemessages (scripts/setup does)"
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in _messages(po_entries):
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "fuzzy" in entry["flags"]:
            continue
        if "msgid_plural" in entry:
            wanted = {(key, i): text for i, text in entry["msgstr"].items() if text}
        else:
            wanted = {key: entry["msgstr"][0]} if entry["msgstr"].get(0) else {}
        if any(compiled.get(k) != v for k, v in wanted.items()):
            stale.append(entry["msgid"])
    assert not stale, (
        "django.mo is older than django.po (run compilemessages -l zh_Hans --ignore=.venv); "
        f"{len(stale)} message(s) differ, e.g. {stale[:3]!r}"
    )


@pytest.mark.django_db
def test_pages_are_in_chinese_by_default_and_english_on_request(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    assert "中心组学习管理" in html
    assert "Log in" not in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Log in" in html
    assert "Study group management" in html
    assert "中心组学习管理" not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_person_switches(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    client.cookies["django_language"] = "xx-unknown"
    assert "登录" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Log in" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


@pytest.mark.django_db
def test_wrong_password_message_is_translated(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert "用户名或密码错误。连续失败" in html
    assert "Wrong username or password" not in html


def test_date_pickers_keep_their_value_in_chinese():
    """A date input only shows an ISO value: in Chinese Django would write 2026/11/23 and the
    field would come back empty for the user to fill in again."""
    from datetime import date, datetime

    from django.utils import translation

    from studygroup.forms import DatePicker, DateTimePicker

    with translation.override("zh-hans"):
        assert 'value="2026-11-23"' in DatePicker().render("day", date(2026, 11, 23))
        assert 'value="2026-11-23T09:30"' in DateTimePicker().render("at", datetime(2026, 11, 23, 9, 30))
        assert 'type="date"' in DatePicker().render("day", None)

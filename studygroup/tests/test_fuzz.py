"""Hostile input everywhere: every form and every list's query string.

The URL patterns are walked with the permission walk's objects (``EXPECTATIONS`` of
``test_permissions``), one world per app. Each page is opened with GET by the first of staff,
member and leader who may open it; then:

- every form it shows (``method="post"`` with fields a person fills in) is posted once per field
  and hostile value, the other fields keeping what the page offered: very long text, control
  characters and NUL, huge and negative numbers, ``99999999999999999999``, invalid dates, other
  organisations' ids, choices that do not exist, a list where one value is expected;
- every query parameter of its ``method="get"`` forms (the filters) and the common ones (page,
  year, month, q, status, group…) is given the same values.

Nothing may answer 500 or raise; a form that refuses a value answers 200 with its errors in
Chinese, and what was typed in a text field is shown again. Each POST runs in a savepoint that is
rolled back, so every case starts from the same data; values are picked with a fixed seed, a
few per field, so the test is deterministic and quick.
"""

import random
import re
import time
from dataclasses import dataclass, field
from datetime import date

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from studygroup.tests.test_permissions import EXPECTATIONS

SEED = 20261127
HUGE = "99999999999999999999"
MARKER = "<b>标记'\"&</b>"
HOSTILE = [
    "长" * 3000,  # very long (over every max_length)
    "a\x00b",  # NUL
    "\x01\x02\x1b[31m\x7f\u202e\ufeff",  # control characters
    "第一行\r\n第二行\r第三行",  # line breaks in a one-line field
    HUGE,
    "-" + HUGE,
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "1e309",
    "NaN",
    "-0.5",
    "2026-02-30",
    "0000-00-00",
    "99999-12-31",
    "2026-13-45T25:61",
    "1/1/1",
    "nonexistent-choice",
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    MARKER,
    "",
    " ",
]
# Query parameters every list is tried with, besides those of its filter forms and its links.
COMMON_PARAMETERS = ["page", "year"]
# Requests per form, shared among its fields (at least two values each).
FORM_BUDGET = 24
# Formset rows after the first (topics-1-title…): alike, so only the first row is tried.
FORMSET_ROW = re.compile(r"^\w+-[1-9]\d*-")


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> {"kind": ..., "values": [...], "options": [...]}
    files: list = field(default_factory=list)

    def baseline(self) -> dict:
        return {name: (spec["values"] if len(spec["values"]) != 1 else spec["values"][0])
                for name, spec in self.fields.items() if spec["values"]}


def _default_for(kind: str) -> str:
    return {
        "number": "1", "date": date.today().isoformat(), "time": "09:00", "datetime-local": "2026-12-01T09:00",
        "email": "fuzz@example.org", "url": "https://example.org/", "month": "2026-12",
    }.get(kind, "测试")


def forms_of(html: str, page_url: str) -> list[Form]:
    """The forms of a page, with the values the page offers (a person who changes nothing)."""
    if not html.strip():
        return []
    document = lxml.html.fromstring(html)
    found = []
    for element in document.iter("form"):
        method = (element.get("method") or "get").lower()
        action = element.get("action") or page_url
        if action.startswith("#") or "://" in action:
            continue
        form = Form(action=action, method=method)
        for control in element.iter("input", "select", "textarea", "button"):
            name = control.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            tag = control.tag
            kind = (control.get("type") or ("submit" if tag == "button" else "text")).lower() if tag in ("input", "button") else tag
            spec = form.fields.setdefault(name, {"kind": kind, "values": [], "options": []})
            if kind == "file":
                form.files.append(name)
                form.fields.pop(name)
            elif kind in ("submit", "image", "reset", "button"):
                if not spec["values"] and control.get("value") is not None:
                    spec["values"].append(control.get("value"))
            elif kind in ("checkbox", "radio"):
                value = control.get("value", "on")
                spec["options"].append(value)
                if control.get("checked") is not None:
                    spec["values"].append(value)
                elif kind == "radio" and not spec["values"] and control.get("required") is not None:
                    spec["values"].append(value)
            elif tag == "select":
                options = [option.get("value", option.text_content()) for option in control.iter("option")]
                spec["options"] = options
                chosen = [option.get("value", option.text_content()) for option in control.iter("option")
                          if option.get("selected") is not None]
                if not chosen:
                    chosen = [value for value in options if value][:1]
                spec["values"] = chosen
            elif tag == "textarea":
                spec["values"] = [control.text or "测试内容"]
            else:
                spec["values"] = [control.get("value") if control.get("value") is not None else _default_for(kind)]
        found.append(form)
    return found


def _others_ids(world) -> list[str]:
    """Ids of the sibling county's objects: another organisation's records."""
    return [str(world.sibling.pk), str(world.groups.sibling_bureau.pk), str(world.sibling_staff.pk),
            str(world.sibling_member.pk)]


def _values_for(rng: random.Random, spec: dict, others: list[str], *, query: bool = False, count: int = 5) -> list:
    """``count`` hostile values for one field (at least two): the huge number, then by turns a
    list where one value is expected, text that breaks things, a wrong choice or the marker, and
    a pick of the seeded generator among all (another organisation's id among them)."""
    if query:
        return [HUGE, rng.choice(HOSTILE + others), ["1", HUGE]]
    if spec["kind"] == "hidden":
        return [HUGE, rng.choice(["abc", "//evil.example/", "javascript:alert(1)", "\x00"])]
    extra = "nonexistent-choice" if spec["options"] else MARKER if spec["kind"] in ("text", "textarea", "search") else "-1"
    chosen = [HUGE, rng.choice([["1", HUGE], rng.choice(HOSTILE[:4])]), extra, rng.choice(HOSTILE[:4]),
              rng.choice(HOSTILE + others)]
    return chosen[:max(2, count)]


def link_parameters(html: str, path: str) -> set[str]:
    """Query parameters the page's own links use (?year=2026&month=3, ?page=2…)."""
    names = set()
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        target, _, query = href.replace("&amp;", "&").partition("?")
        if target in ("", path):
            names.update(part.split("=", 1)[0] for part in query.split("&") if part)
    return names


def _cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _first_role_allowed(expected: dict):
    for role in ("staff", "member", "leader"):
        if expected.get(role) == 200:
            return role
    return None


class Problems(list):
    def check(self, label, response=None, error=None):
        if error is not None:
            self.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
        elif response.status_code >= 500:
            self.append(f"{label}: HTTP {response.status_code}")


def _request(client, method, url, data, problems, label):
    """One request in a savepoint that is rolled back: every case starts from the same data."""
    started = time.monotonic()
    try:
        with transaction.atomic():
            response = client.post(url, data) if method == "post" else client.get(url, data)
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - any exception is what the test looks for
        problems.check(label, error=error)
        return None
    finally:
        SLOWEST.append((time.monotonic() - started, label))
    problems.check(label, response)
    return response


SLOWEST = []


def _check_refusal(response, value, kind, problems, label):
    """A form that refuses input answers 200 with errors in Chinese and shows what was typed."""
    if response is None or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode("utf-8", errors="replace")
    errors = re.findall(r'class="[^"]*(?:invalid-feedback|errorlist|alert-danger)[^"]*"[^>]*>(.*?)</', html, re.S)
    texts = [re.sub(r"<[^>]+>", "", text).strip() for text in errors]
    for text in texts:
        if text and not _cjk(text):
            problems.append(f"{label}: an error not in Chinese: {text[:120]!r}")
    if value == MARKER and kind in ("text", "textarea", "search") and texts:
        escaped = MARKER.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if escaped not in html and escaped.replace('"', "&quot;").replace("'", "&#x27;") not in html:
            problems.append(f"{label}: what was typed is not shown again")


NAMESPACES = sorted({name.split(":")[0] if ":" in name else "" for name in EXPECTATIONS})


@pytest.mark.slow
@pytest.mark.postgresql_run
@pytest.mark.django_db
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_hostile_input_never_breaks_a_form_or_a_list(namespace, world, client):
    rng = random.Random(f"{SEED}-{namespace}")
    others = _others_ids(world)
    problems = Problems()
    cases = 0
    seen_forms = set()
    timings = []
    for name in sorted(EXPECTATIONS):
        if (name.split(":")[0] if ":" in name else "") != namespace:
            continue
        kwargs_for, expected = EXPECTATIONS[name]
        role = _first_role_allowed(expected)
        if role is None:
            continue
        url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
        started, started_cases = time.monotonic(), cases
        client.force_login(getattr(world, role))
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        html = page.content.decode("utf-8", errors="replace")
        forms = forms_of(html, url)

        # The query string of the page: its filters, its links' parameters and the common ones.
        parameters = {name: spec for form in forms if form.method == "get" for name, spec in form.fields.items()}
        linked = link_parameters(html, url)
        if parameters or linked:  # a list (filters, pages) or a page that reads its query string
            for parameter in COMMON_PARAMETERS + sorted(linked):
                parameters.setdefault(parameter, {"kind": "text", "values": [], "options": []})
        # As each kind of person who may open the list: what they see differs (a member's
        # figures are computed from the year, the staff's are not).
        for reader in [r for r in ("staff", "member") if expected.get(r) == 200] if parameters else []:
            client.force_login(getattr(world, reader))
            for parameter, spec in sorted(parameters.items()):
                values = _values_for(rng, spec, others, query=True)
                for value in values if reader == "staff" else [HUGE, values[-1]]:
                    cases += 1
                    _request(client, "get", url, {parameter: value}, problems,
                             f"{reader} GET {url}?{parameter}={str(value)[:40]!r}")
        client.force_login(getattr(world, role))

        # Each form that a person fills in, once (the same form on many pages is tried once).
        for form in forms:
            key = (form.action, tuple(sorted(form.fields)))
            # Fields named __prefix__ belong to a formset's template row, not to the form sent.
            # A formset's rows are alike: its first row stands for the others.
            fuzzed = {n: s for n, s in form.fields.items()
                      if s["kind"] not in ("submit", "button") and "__prefix__" not in n and not FORMSET_ROW.match(n)}
            if form.method != "post" or key in seen_forms or not any(
                s["kind"] != "hidden" for s in fuzzed.values()
            ) and not form.files:
                continue
            seen_forms.add(key)
            baseline = form.baseline()
            # A budget per form: big forms get fewer values per field (the page renders slowly).
            count = max(2, min(5, FORM_BUDGET // max(len(fuzzed), 1)))
            for field_name, spec in sorted(fuzzed.items()):
                for value in _values_for(rng, spec, others, count=count):
                    cases += 1
                    data = {**baseline, field_name: value}
                    label = f"{role} POST {form.action} {field_name}={str(value)[:40]!r}"
                    response = _request(client, "post", form.action, data, problems, label)
                    _check_refusal(response, value, spec["kind"], problems, label)
            for file_field in form.files:
                for filename in ("a\x00b.pdf", "../../etc/passwd", "长" * 300 + ".pdf"):
                    cases += 1
                    upload = SimpleUploadedFile(filename, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
                    _request(client, "post", form.action, {**baseline, file_field: upload}, problems,
                             f"{role} POST {form.action} {file_field}={filename[:30]!r}")
        timings.append((time.monotonic() - started, cases - started_cases, url))
    print("\n".join(f"{t:6.2f}s {n:4d} {u}" for t, n, u in sorted(timings, reverse=True)[:8]))
    print("\n".join(f"{t:6.2f}s {label[:150]}" for t, label in sorted(SLOWEST, reverse=True)[:12]))
    assert cases > 0 or namespace == ""
    assert not problems, f"{len(problems)} problems in {cases} cases:\n" + "\n".join(problems[:80])


# --- the 500s the issue names, each on its own ----------------------------------------------------


@pytest.mark.django_db
def test_a_huge_year_on_my_study_is_the_current_year(world, client):
    client.force_login(world.member)
    response = client.get(reverse("work:my-work"), {"year": HUGE})
    assert response.status_code == 200
    assert response.context["year"] == date.today().year


@pytest.mark.django_db
def test_a_huge_year_on_the_first_agenda_list_is_refused_in_chinese(world, client):
    client.force_login(world.staff)
    response = client.get(reverse("meetings:first-agenda-list"), {"year": HUGE})
    assert response.status_code == 200
    error = response.context["filter"].form.errors["year"][0]
    assert _cjk(error)
    assert "2100" in error
    assert f'value="{HUGE}"' in response.content.decode()  # what was typed is kept


@pytest.mark.django_db
def test_next_abc_on_marking_a_notification_read_goes_to_the_inbox(world, client):
    from members.notifications.models import NotificationKind
    from members.notifications.services import notification_send

    notification, = notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau,
                                       recipients=[world.member], title="通知", robots=False)
    client.force_login(world.member)
    for target in ("abc", "//evil.example/", "https://evil.example/", "javascript:alert(1)", HUGE):
        response = client.post(reverse("notifications:notification-read", args=[notification.pk]), {"next": target})
        assert response.status_code == 302
        assert response["Location"] == reverse("notifications:notification-list"), target
    response = client.post(reverse("notifications:notification-read", args=[notification.pk]), {"next": "/meetings/"})
    assert response["Location"] == "/meetings/"


@pytest.mark.django_db
def test_a_huge_topic_or_speaker_id_on_the_meeting_form_is_refused_in_chinese(world, client):
    from sessions.tests.factories import meeting_world

    meeting = meeting_world(world).meeting
    client.force_login(world.staff)
    url = reverse("meetings:meeting-update", args=[meeting.pk])
    page = client.get(url)
    [form] = [f for f in forms_of(page.content.decode(), url) if f.method == "post" and "title" in f.fields]
    for field_name in ("topics", "lead_speakers"):
        response = client.post(url, {**form.baseline(), field_name: HUGE, "title": "保留的标题"})
        assert response.status_code == 200, field_name
        assert _cjk(response.context["form"].errors[field_name][0])
        assert "保留的标题" in response.content.decode()


@pytest.mark.django_db
def test_a_huge_total_forms_count_is_refused_quickly(world, client):
    """A formset's TOTAL_FORMS of 99999999999999999999 builds at most its maximum of rows."""
    from plans.tests.factories import plan_world

    plan = plan_world(world).draft
    client.force_login(world.staff)
    url = reverse("plans:plan-update", args=[plan.pk])
    page = client.get(url)
    [form] = [f for f in forms_of(page.content.decode(), url) if f.method == "post" and "title" in f.fields]
    response = client.post(url, {**form.baseline(), "topics-TOTAL_FORMS": HUGE})
    assert response.status_code == 200
    formset = response.context["topic_formset"]
    assert len(formset.forms) <= formset.absolute_max
    assert _cjk(" ".join(str(e) for e in response.context["topic_formset"].non_form_errors()))

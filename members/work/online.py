"""Online-platform study (学习强国, 干部网络学院): the export a platform's administrator gives,
read with the roster's reader (Excel or GBK CSV, merged cells, title rows), matched to the people
the importing staff manage (by phone, else account, else a name that only one of them has),
previewed row by row, then written in one transaction. The same file again changes nothing.

``plan_online_study`` writes nothing; ``apply_online_study`` writes a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members import scoping
from members.models import User
from members.roster import (
    FORMULA_START,
    HEADER_SEARCH_ROWS,
    MOBILE,
    Problem,
    Sheet,
    _header_key,
    _phone,
    _text,
)
from members.work.models import (
    PLATFORM_MEASURE,
    OnlineMeasure,
    OnlineStudyMapping,
    OnlineStudyRecord,
)

# The usual headers of the platforms' exports.
HEADERS = {
    "name": ("姓名", "学员姓名", "用户姓名"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话"),
    "account": ("账号", "用户名", "学习强国账号", "登录账号", "学员账号"),
    "points": ("积分", "学习积分", "总积分", "累计积分", "本月积分", "月积分"),
    "hours": ("学时", "学习学时", "累计学时", "总学时", "本月学时", "已获学时"),
}


@dataclass
class OnlineRow:
    sheet: str
    row: int
    label: str
    action: str = "error"  # create, update, unchanged, unmatched, error
    person_id: int | None = None
    person: str = ""
    value: str = ""
    before: str = ""
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet, "row": self.row, "label": self.label, "action": self.action,
            "person": self.person, "value": self.value, "before": self.before,
            "problems": [problem.as_dict() for problem in self.problems],
        }


@dataclass
class OnlinePlan:
    platform: str
    period: date
    measure: str = ""
    columns: dict = field(default_factory=dict)  # field -> header text
    rows: list[OnlineRow] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    writes: dict = field(default_factory=dict)  # person id -> Decimal

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [problem for row in self.rows for problem in row.problems]

    def counts(self) -> dict:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "unmatched": 0, "rows_with_errors": 0}
        names = {"create": "created", "update": "updated", "unchanged": "unchanged", "unmatched": "unmatched",
                 "error": "rows_with_errors"}
        for row in self.rows:
            counts[names[row.action]] += 1
        return counts

    def as_json(self) -> dict:
        """What ``manage.py import_online_study --json`` prints and the preview page shows."""
        return {
            "platform": self.platform, "period": f"{self.period:%Y-%m}", "measure": self.measure,
            "columns": self.columns, **self.counts(),
            "unmatched_rows": [row.as_dict() for row in self.rows if row.action == "unmatched"],
            "errors": [problem.as_dict() for problem in self.problems],
        }


def parse_month(text: str) -> date | None:
    """The month in ``text`` (2026-11, 2026年11月, 2026.11) as its first day; None if it is not one."""
    import re

    match = re.fullmatch(r"(\d{4})[-年./](\d{1,2})月?", (text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _find_columns(sheet: Sheet, wanted: dict[str, tuple[str, ...]]):
    """(header row index, {field: (column index, header)}) of the first row near the top naming a
    value column and a way to find the person."""
    lookup = {_header_key(name): key for key, names in wanted.items() for name in names}
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for column, cell in enumerate(row):
            key = lookup.get(_header_key(cell))
            if key and key not in columns:
                columns[key] = (column, _text(cell))
        if ({"points", "hours"} & set(columns)) and ({"name", "phone", "account"} & set(columns)):
            return index, columns
    return None


def _headers_for(mapping: OnlineStudyMapping | None) -> dict[str, tuple[str, ...]]:
    if mapping is None:
        return HEADERS
    headers = {key: names for key, names in HEADERS.items() if key not in ("points", "hours")}
    for key, value in (("name", mapping.name_header), ("phone", mapping.phone_header), ("account", mapping.account_header)):
        if value:
            headers[key] = (value, *headers[key])
    headers[mapping.measure] = (mapping.value_header, *HEADERS[mapping.measure])
    return headers


def mapping_for(by: User, platform: str) -> OnlineStudyMapping | None:
    if by.organization_id is None:
        return None
    return OnlineStudyMapping.objects.filter(organization_id=by.organization_id, platform=platform).first()


def plan_online_study(sheets: list[Sheet], *, by: User, platform: str, period: date, columns: dict | None = None) -> OnlinePlan:
    """What importing ``sheets`` would write, row by row; ``columns`` ({field: header}) overrides
    the remembered mapping and the usual headers."""
    plan = OnlinePlan(platform=platform, period=period.replace(day=1))
    mapping = mapping_for(by, platform)
    headers = _headers_for(mapping)
    columns = dict(columns or {})
    if "value" in columns:
        columns[str(PLATFORM_MEASURE[platform])] = columns.pop("value")
    if columns:
        headers = {**headers, **{key: (value, *headers.get(key, ())) for key, value in columns.items() if value}}
    found, sheet = None, None
    for candidate in sheets:
        found = _find_columns(candidate, headers)
        if found:
            sheet = candidate
            break
    if found is None:
        plan.file_problems.append(Problem(sheets[0].name if sheets else "", 0, "", _(
            "No header row with the points or hours and the names or phones was found in the first %(rows)s rows: "
            "name the columns (such as 姓名, 手机号, 积分 or 学时) below."
        ) % {"rows": HEADER_SEARCH_ROWS}))
        return plan
    header_index, found_columns = found
    value_key = "points" if "points" in found_columns else "hours"
    if "points" in found_columns and "hours" in found_columns:
        value_key = PLATFORM_MEASURE[platform]
    plan.measure = OnlineMeasure.POINTS if value_key == "points" else OnlineMeasure.HOURS
    plan.columns = {key: header for key, (_index, header) in found_columns.items()}

    def cell(cells, key):
        spot = found_columns.get(key)
        return cells[spot[0]] if spot and spot[0] < len(cells) else None

    def column(key) -> str:
        from openpyxl.utils import get_column_letter

        spot = found_columns.get(key)
        return f"{get_column_letter(spot[0] + 1)}（{spot[1]}）" if spot else ""

    lines = [
        (number, cells) for number, cells in enumerate(sheet.rows[header_index + 1:], start=header_index + 2)
        if any(_text(value) for value in cells)
    ]
    # People of the staff's tree, and the current members of the groups they manage (not those
    # who sat in one once and have since moved elsewhere).
    from members.models import Membership, current_q

    in_managed_group = Membership.objects.filter(current_q(), group__in=scoping.managed_groups(by).values("pk")).values("user")
    people = User.objects.filter(
        Q(organization__in=scoping.managed_organizations(by).values("pk")) | Q(pk__in=in_managed_group), is_active=True,
    )
    phones = {_phone(cell(cells, "phone")) for _n, cells in lines} - {""}
    accounts = {_text(cell(cells, "account")) for _n, cells in lines} - {""}
    names = {_text(cell(cells, "name")) for _n, cells in lines} - {""}
    known = list(User.objects.filter(pk__in=people.values("pk")).filter(
        Q(phone__in=phones) | Q(username__in=accounts) | Q(name__in=names)
    ).only("pk", "name", "username", "phone"))
    by_phone: dict[str, list[User]] = {}
    by_name: dict[str, list[User]] = {}
    by_account = {person.username: person for person in known}
    for person in known:
        by_phone.setdefault(person.phone, []).append(person)
        by_name.setdefault(person.name, []).append(person)
    current = {
        record.person_id: record.value
        for record in OnlineStudyRecord.objects.filter(
            person__in=[person.pk for person in known], platform=platform, period=plan.period,
        ).only("person_id", "value")
    }
    seen: dict[int, int] = {}
    for number, cells in lines:
        name, phone, account = _text(cell(cells, "name")), _phone(cell(cells, "phone")), _text(cell(cells, "account"))
        row = OnlineRow(sheet.name, number, " ".join(part for part in (name, phone or account) if part))
        plan.rows.append(row)
        raw = cell(cells, value_key)
        for key in found_columns:
            value = cell(cells, key)
            if isinstance(value, str) and value.strip().startswith(FORMULA_START) and key != "phone":
                row.problems.append(Problem(sheet.name, number, column(key), _(
                    "“%(value)s” begins like a formula: write the value itself."
                ) % {"value": value.strip()[:40]}))
        try:
            amount = Decimal(str(raw).strip().replace(",", "")) if _text(raw) else None
        except InvalidOperation:
            amount = None
            row.problems.append(Problem(sheet.name, number, column(value_key), _(
                "“%(value)s” is not a number."
            ) % {"value": _text(raw)[:40]}))
        if amount is not None and (not amount.is_finite() or amount < 0 or amount >= Decimal("1e9")):
            row.problems.append(Problem(sheet.name, number, column(value_key), _(
                "“%(value)s” is not a number of points or hours."
            ) % {"value": _text(raw)[:40]}))
        if amount is None and not row.problems:
            row.problems.append(Problem(sheet.name, number, column(value_key), _("The points or hours are missing.")))
        if row.problems:
            continue
        amount = amount.quantize(Decimal("0.1"))
        row.value = f"{amount}"
        person = None
        if phone and MOBILE.match(phone):
            matches = by_phone.get(phone, [])
            person = matches[0] if len(matches) == 1 else None
        if person is None and account:
            person = by_account.get(account)
        if person is None and name and not phone and not account:
            matches = by_name.get(name, [])
            person = matches[0] if len(matches) == 1 else None
        if person is None:
            # Someone not among the people the staff manage, or not uniquely named: listed, not an error.
            row.action = "unmatched"
            continue
        if person.pk in seen:
            row.problems.append(Problem(sheet.name, number, "", _(
                "%(name)s is listed twice (also row %(row)s)."
            ) % {"name": person.name, "row": seen[person.pk]}))
            continue
        seen[person.pk] = number
        row.person_id, row.person = person.pk, person.name
        before = current.get(person.pk)
        row.before = f"{before}" if before is not None else ""
        row.action = "create" if before is None else ("unchanged" if before == amount else "update")
        if row.action != "unchanged":
            plan.writes[person.pk] = amount
    return plan


@transaction.atomic
def apply_online_study(plan: OnlinePlan, *, by: User, source=None) -> int:
    """Write the plan's records (one per person, platform and month) and remember the columns
    for the organisation's next import of this platform. Returns how many records were written."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    now = timezone.now()
    existing = {
        record.person_id: record for record in OnlineStudyRecord.objects.select_for_update().filter(
            person_id__in=list(plan.writes), platform=plan.platform, period=plan.period,
        )
    }
    new, changed = [], []
    for person_id, value in plan.writes.items():
        record = existing.get(person_id)
        if record is None:
            new.append(OnlineStudyRecord(
                person_id=person_id, platform=plan.platform, period=plan.period, measure=plan.measure,
                value=value, source=source, recorded_at=now,
            ))
        else:
            record.value, record.measure, record.source, record.recorded_at = value, plan.measure, source, now
            changed.append(record)
    bulk_create_with_history(new, OnlineStudyRecord, batch_size=1000, default_user=by)
    if changed:
        bulk_update_with_history(changed, OnlineStudyRecord, ["value", "measure", "source", "recorded_at"],
                                 batch_size=1000, default_user=by)
    if by.organization_id and plan.columns:
        OnlineStudyMapping.objects.update_or_create(
            organization_id=by.organization_id, platform=plan.platform,
            defaults={
                "name_header": plan.columns.get("name", ""), "phone_header": plan.columns.get("phone", ""),
                "account_header": plan.columns.get("account", ""),
                "value_header": plan.columns.get(plan.measure, ""), "measure": plan.measure,
            },
        )
    return len(new) + len(changed)

"""花名册导入: organisations, study groups, people and their seats in the groups, from the Excel
template or from a roster an office already keeps (one sheet of people with their unit, group
and role, its headers in any order on any of the first rows).

``read_roster`` turns a file into sheets of cells (merged cells filled in, GBK CSV decoded);
``plan_roster`` works out, row by row, what would be created, changed or left as it is, and every
error with its sheet, row and column, within the importing staff's scope, writing nothing;
``apply_roster`` writes a plan in one transaction. Importing the same file again changes nothing.
A row with an error is left out whole (and the rows that depend on it); nobody is deleted.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, Organization, StudyGroup, User, current_q

ORGANIZATIONS, GROUPS, PEOPLE, MEMBERSHIPS = "organizations", "groups", "people", "memberships"

# The headers an office's roster uses for each field (compared without spaces, marks and "必填").
HEADERS = {
    "org_name": ("单位名称", "单位全称", "组织名称", "党组织名称"),
    "org_short_name": ("简称", "单位简称"),
    "org_parent": ("上级单位", "上级", "上级党组织", "上级组织"),
    "org_kind": ("类型", "单位类型", "组织类型"),
    "org_level": ("层级", "级别", "单位层级"),
    "group_name": ("中心组名称",),
    "group_unit": ("所属单位",),
    "name": ("姓名",),
    "phone": ("手机号码", "手机号", "手机", "联系电话", "电话", "联系方式"),
    "unit": ("单位", "所在单位", "工作单位"),
    "position": ("职务", "职位", "现任职务"),
    "email": ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail"),
    "username": ("账号", "登录账号", "用户名", "人员编号"),
    "group": ("中心组", "所在中心组", "所在理论学习中心组", "理论学习中心组"),
    "role": ("组内职务", "角色", "组内角色", "中心组职务"),
    "started_on": ("起始日期", "加入日期", "开始日期", "任职日期"),
}
# What makes a sheet one kind or another (by its headers; the template's sheets also by name).
SHEET_NAMES = {
    ORGANIZATIONS: ("单位", "组织", "党组织"),
    GROUPS: ("中心组",),
    PEOPLE: ("人员", "花名册", "人员名单"),
    MEMBERSHIPS: ("成员", "中心组成员", "组员"),
}
ROLE_LABELS = {
    "组长": Membership.Role.LEADER, "副组长": Membership.Role.DEPUTY, "成员": Membership.Role.MEMBER,
    "学习秘书": Membership.Role.SECRETARY,
}
KIND_LABELS = {
    "党委": Organization.Kind.PARTY_COMMITTEE, "党组": Organization.Kind.PARTY_GROUP,
    "党工委": Organization.Kind.WORKING_COMMITTEE, "工委": Organization.Kind.WORKING_COMMITTEE,
}
LEVEL_LABELS = {
    "省": Organization.Level.PROVINCE, "省级": Organization.Level.PROVINCE,
    "市": Organization.Level.CITY, "市级": Organization.Level.CITY,
    "县": Organization.Level.COUNTY, "县级": Organization.Level.COUNTY, "区": Organization.Level.COUNTY,
    "部门": Organization.Level.DEPARTMENT, "单位": Organization.Level.DEPARTMENT, "局": Organization.Level.DEPARTMENT,
    "乡镇": Organization.Level.TOWNSHIP, "乡": Organization.Level.TOWNSHIP, "镇": Organization.Level.TOWNSHIP,
    "街道": Organization.Level.TOWNSHIP,
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
FORMULA_START = ("=", "+", "-", "@")
HEADER_SEARCH_ROWS = 10
NOTES_SHEETS = ("填写说明", "说明")


class RosterError(ValueError):
    """The file cannot be read as a roster at all (the message says why, in the user's language)."""


# --- reading ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values: str, int, float, date or None; rows numbered from 1


def read_roster(data: bytes, filename: str) -> list[Sheet]:
    """The sheets of an .xlsx workbook (merged cells filled in) or of a .csv file (UTF-8 or
    GBK/GB18030, as Chinese Windows saves it)."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        return [Sheet(name=_("CSV file"), rows=_csv_rows(data))]
    if suffix == "xlsx":
        return _xlsx_sheets(data)
    raise RosterError(_("A roster is read from an Excel (.xlsx) or CSV file."))


def _csv_rows(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(_("The CSV file is neither UTF-8 nor GBK text."))
    rows = list(csv.reader(io.StringIO(text)))
    _check_size(len(rows))
    return [[cell if cell != "" else None for cell in row] for row in rows]


# A roster has at most this many columns; a stray cell far to the right (XFD1) or a merged range
# over a whole sheet would make every row that wide (openpyxl fills merged ranges cell by cell).
ROSTER_MAX_COLUMNS = 100
_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|dimension|mergeCell)\b[^>]*?\sr(?:ef)?="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extents(data: bytes) -> None:
    """Refuse a sheet that reaches too far (rows, columns, merged ranges) before openpyxl loads
    it: read from the sheets' XML in chunks, whatever openpyxl would make of it."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise RosterError(_("The Excel file cannot be opened: save it again as .xlsx and upload that.")) from error
    most_rows = settings.ROSTER_MAX_ROWS + HEADER_SEARCH_ROWS
    with archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    text = tail + chunk
                    for match in _CELL_REF.finditer(text):
                        column = max(_column_number(match.group(1)), _column_number(match.group(3) or b"A"))
                        row = max(int(match.group(2)), int(match.group(4) or 0))
                        if column > ROSTER_MAX_COLUMNS:
                            raise RosterError(_(
                                "A sheet reaches column %(column)s: a roster has at most %(most)s columns. "
                                "Delete the cells (or merged cells) far to the right and save again."
                            ) % {"column": (match.group(3) or match.group(1)).decode(), "most": ROSTER_MAX_COLUMNS})
                        if row > most_rows:
                            _check_size(row)
                    tail = text[-400:]


def _xlsx_sheets(data: bytes) -> list[Sheet]:
    import zipfile

    from openpyxl import load_workbook

    _check_extents(data)
    try:
        # Formulas as written (never worked out here: a formula cell is an error, not a value),
        # merged cells kept as ranges.
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise RosterError(_("The Excel file cannot be opened: save it again as .xlsx and upload that.")) from error
    sheets = []
    for worksheet in workbook.worksheets:
        _check_size(worksheet.max_row)
        rows = [list(row) for row in worksheet.iter_rows(values_only=True, max_col=min(worksheet.max_column, ROSTER_MAX_COLUMNS))]
        # A merged unit cell (one unit over several people) counts for every row it covers.
        for merged in worksheet.merged_cells.ranges:
            value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(rows) else None
            for row in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for column in range(merged.min_col - 1, merged.max_col):
                    if column < len(rows[row]):
                        rows[row][column] = value
        sheets.append(Sheet(name=worksheet.title, rows=rows))
    return sheets


def _check_size(rows: int) -> None:
    if rows > settings.ROSTER_MAX_ROWS:
        raise RosterError(
            _("The file has %(rows)s rows; a roster is imported %(most)s rows at a time: split it into several files.")
            % {"rows": rows, "most": settings.ROSTER_MAX_ROWS}
        )


# --- cells -----------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text: full-width letters and digits made half-width, spaces trimmed, a whole
    number without ".0" (Excel keeps phone numbers as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ").strip()


def _header_key(value) -> str:
    text = _text(value).lower()
    text = re.sub(r"[\s*＊:：]|[（(]\s*(必填|选填|可选)\s*[)）]|必填", "", text)
    return text


HEADER_LOOKUP = {_header_key(label): name for name, labels in HEADERS.items() for label in labels}


def _phone(value) -> str:
    text = _text(value)
    digits = re.sub(r"[\s\-－—()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def _date(value) -> date | None:
    """A date from an Excel date, 2026-01-05, 2026/1/5, 2026.1.5 or 2026年1月5日; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", _text(value))
    if not found:
        raise ValueError(value)
    return date(*(int(part) for part in found.groups()))


# --- the plan --------------------------------------------------------------------------------


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Outcome:
    """What one row comes to: ``action`` is create, update, unchanged or error."""

    sheet: str
    row: int
    kind: str
    action: str
    label: str
    changes: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet, "row": self.row, "kind": self.kind, "action": self.action, "label": self.label,
            "changes": self.changes, "problems": [problem.as_dict() for problem in self.problems],
        }


@dataclass
class RosterPlan:
    outcomes: list[Outcome] = field(default_factory=list)
    # What applying writes (keys: organisations by full name, people by phone).
    new_organizations: list[dict] = field(default_factory=list)
    organization_updates: dict = field(default_factory=dict)  # Organization -> {field: value}
    new_groups: list[dict] = field(default_factory=list)
    group_updates: dict = field(default_factory=dict)
    new_people: list[dict] = field(default_factory=list)
    person_updates: dict = field(default_factory=dict)  # User -> {field: value}
    new_memberships: list[dict] = field(default_factory=list)
    membership_updates: dict = field(default_factory=dict)  # Membership -> {field: value}
    memberships_to_end: list = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [problem for outcome in self.outcomes for problem in outcome.problems]

    def counts(self) -> dict:
        counts = {action: {kind: 0 for kind in (ORGANIZATIONS, GROUPS, PEOPLE, MEMBERSHIPS)}
                  for action in ("created", "updated", "unchanged")}
        names = {"create": "created", "update": "updated", "unchanged": "unchanged"}
        for outcome in self.outcomes:
            if outcome.action in names:
                counts[names[outcome.action]][outcome.kind] += 1
        counts["updated"][MEMBERSHIPS] += len(self.memberships_to_end)
        return counts

    def as_json(self) -> dict:
        """The preview as ``manage.py import_roster --json`` prints it."""
        return {**self.counts(), "errors": [problem.as_dict() for problem in self.problems]}

    @property
    def has_changes(self) -> bool:
        counts = self.counts()
        return any(counts["created"].values()) or any(counts["updated"].values())


@dataclass
class _Table:
    sheet: str
    kind: str
    columns: dict  # field -> (index, header text)
    rows: list  # (row number, cells)

    def cell(self, cells, name):
        found = self.columns.get(name)
        if found is None or found[0] >= len(cells):
            return None
        return cells[found[0]]

    def column(self, name) -> str:
        found = self.columns.get(name)
        if found is None:
            return ""
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(found[0] + 1)}（{found[1]}）"


def _tables(sheets: list[Sheet]) -> tuple[list[_Table], list[Problem]]:
    tables, problems = [], []
    for sheet in sheets:
        if sheet.name.strip() in NOTES_SHEETS:
            continue
        found = _find_header(sheet)
        if found is None:
            if any(any(_text(cell) for cell in row) for row in sheet.rows):
                problems.append(Problem(sheet.name, 0, "", _(
                    "No header row was found in the first %(rows)s rows: a roster needs at least the "
                    "columns 姓名 and 单位 (or 单位名称 and 上级单位 for units, 中心组名称 and 所属单位 for groups)."
                ) % {"rows": HEADER_SEARCH_ROWS}))
            continue
        header_index, columns, kind = found
        rows = [
            (number, row) for number, row in enumerate(sheet.rows[header_index + 1:], start=header_index + 2)
            if any(_text(cell) for cell in row)
        ]
        tables.append(_Table(sheet.name, kind, columns, rows))
    if not tables and not problems:
        problems.append(Problem("", 0, "", _("The file holds no rows.")))
    return tables, problems


def _find_header(sheet: Sheet):
    """(row index, {field: (column index, header)}, kind) of the first row near the top that
    names enough fields; title rows above it and blank columns are passed over."""
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for column, cell in enumerate(row):
            name = HEADER_LOOKUP.get(_header_key(cell))
            if name and name not in columns:
                columns[name] = (column, _text(cell))
        kind = _kind_of(sheet.name, columns)
        if kind:
            return index, columns, kind
    return None


def _kind_of(sheet_name: str, columns: dict) -> str | None:
    names = set(columns)
    title = _header_key(sheet_name)
    if {"org_name", "org_parent"} <= names:
        return ORGANIZATIONS
    if {"group_name", "group_unit"} <= names or ({"group", "group_unit"} <= names and "name" not in names):
        return GROUPS
    if "name" in names and ({"phone", "unit"} & names) and not (title in SHEET_NAMES[MEMBERSHIPS] and "unit" not in names):
        return PEOPLE
    if {"phone", "group"} <= names:
        return MEMBERSHIPS
    return None


class _Planner:
    def __init__(self, *, by: User, end_missing: bool):
        self.by = by
        self.end_missing = end_missing
        self.plan = RosterPlan()
        self.today = timezone.localdate()
        scope = scoping.account_organizations(by)
        self.organizations = list(scope.only("pk", "name", "short_name", "kind", "level", "path", "depth"))
        self.scope_ids = {org.pk for org in self.organizations}
        self.by_name: dict[str, list[Organization]] = {}
        for org in self.organizations:
            self.by_name.setdefault(org.name, []).append(org)
            if org.short_name and org.short_name != org.name:
                self.by_name.setdefault(org.short_name, []).append(org)
        # Units this file adds: name -> (the row's outcome, its short name).
        self.planned_units: dict[str, tuple[Outcome, dict]] = {}
        self.managed_ids = set(scoping.managed_organizations(by).values_list("pk", flat=True))
        managed = scoping.managed_groups(by).select_related("organization")
        self.groups = {group.organization_id: group for group in managed}
        # Groups this file lists: unit full name -> (outcome, the existing group or None, unit short name).
        self.planned_groups: dict[str, tuple] = {}
        self.people_rows: dict[str, Outcome] = {}  # phone -> outcome of the person's row
        self.person_by_phone: dict[str, User] = {}
        self.new_usernames: set[str] = set()

    # units ----------------------------------------------------------------------------------

    def unit(self, name: str, outcome: Outcome, column: str, table: _Table):
        """The organisation ``name`` names (full or short name): an existing one in scope, or one
        this file adds; otherwise a problem on ``outcome``."""
        if not name:
            outcome.problems.append(Problem(table.sheet, outcome.row, column, _("Give the unit.")))
            return None
        if name in self.planned_units:
            planned, fields = self.planned_units[name]
            if planned.action == "error":
                outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
                    "The unit “%(name)s” is not imported: its row has an error (%(sheet)s, row %(row)s)."
                ) % {"name": name, "sheet": planned.sheet, "row": planned.row}))
                return None
            if planned.action == "create":
                return fields["name"]  # made by this import: its key
        matches = self.by_name.get(name, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
                "“%(name)s” names more than one unit you manage: write the unit's full name."
            ) % {"name": name}))
            return None
        if Organization.objects.filter(name=name).exists():
            outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
                "The unit “%(name)s” is not among the units you manage."
            ) % {"name": name}))
        else:
            outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
                "No unit is called “%(name)s”: list it on the units sheet, or check its name."
            ) % {"name": name}))
        return None

    def plan_organizations(self, table: _Table):
        rows: dict[str, tuple] = {}
        for number, cells in table.rows:
            name = _text(table.cell(cells, "org_name"))
            outcome = Outcome(table.sheet, number, ORGANIZATIONS, "error", name)
            self.plan.outcomes.append(outcome)
            self._no_formulas(table, cells, outcome)
            if not name:
                outcome.problems.append(Problem(table.sheet, number, table.column("org_name"), _("Give the unit's full name.")))
            elif len(name) > 120:
                outcome.problems.append(Problem(table.sheet, number, table.column("org_name"), _("A unit's name has at most 120 characters.")))
            elif name in rows:
                outcome.problems.append(Problem(table.sheet, number, table.column("org_name"), _(
                    "The unit “%(name)s” is listed twice (also row %(row)s)."
                ) % {"name": name, "row": rows[name][0]}))
                continue
            if name:
                rows[name] = (number, cells, outcome)
                self.planned_units[name] = (outcome, {})
        # Parents may come later in the file than their units: each unit after its parent.
        done: set[str] = set()

        def place(name: str, path: tuple):
            if name in done:
                return
            number, cells, outcome = rows[name]
            parent_name = _text(table.cell(cells, "org_parent"))
            if parent_name in rows and parent_name not in done:
                if parent_name in path:
                    outcome.problems.append(Problem(table.sheet, number, table.column("org_parent"), _(
                        "The units “%(name)s” and “%(parent)s” are each other's parents."
                    ) % {"name": name, "parent": parent_name}))
                else:
                    place(parent_name, (*path, name))
            done.add(name)
            if outcome.problems:
                outcome.action = "error"
                return
            self._plan_one_unit(table, number, cells, outcome, name, parent_name)

        for name in list(rows):
            place(name, ())

    def _existing_unit(self, name: str):
        matches = self.by_name.get(name, [])
        return matches[0] if len(matches) == 1 else None

    def _plan_one_unit(self, table, number, cells, outcome, name, parent_name):
        short_name = _text(table.cell(cells, "org_short_name"))
        if len(short_name) > 40:
            outcome.problems.append(Problem(table.sheet, number, table.column("org_short_name"), _("A short name has at most 40 characters.")))
        kind_text = _text(table.cell(cells, "org_kind"))
        kind = KIND_LABELS.get(kind_text) or (Organization.Kind(kind_text) if kind_text in Organization.Kind.values else None)
        if kind_text and kind is None:
            outcome.problems.append(Problem(table.sheet, number, table.column("org_kind"), _(
                "The kind “%(value)s” is not one of 党委, 党组, 党工委."
            ) % {"value": kind_text}))
        level_text = _text(table.cell(cells, "org_level"))
        level = LEVEL_LABELS.get(level_text) or (Organization.Level(level_text) if level_text in Organization.Level.values else None)
        if level_text and level is None:
            outcome.problems.append(Problem(table.sheet, number, table.column("org_level"), _(
                "The level “%(value)s” is not one of 省, 市, 县, 部门, 乡镇."
            ) % {"value": level_text}))
        existing = self._existing_unit(name) if name in self.by_name else None
        if existing is None and Organization.objects.filter(name=name).exclude(pk__in=self.scope_ids).exists():
            outcome.problems.append(Problem(table.sheet, number, table.column("org_name"), _(
                "The unit “%(name)s” exists already and is not among the units you manage."
            ) % {"name": name}))
        if outcome.problems:
            outcome.action = "error"
            return
        if existing is not None:
            wanted = {"short_name": short_name or existing.short_name, "kind": kind or existing.kind, "level": level or existing.level}
            changes = {key: value for key, value in wanted.items() if getattr(existing, key) != value}
            if parent_name and parent_name not in (self._parent_names(existing)):
                outcome.problems.append(Problem(table.sheet, number, table.column("org_parent"), _(
                    "“%(name)s” is already below another unit: an import does not move units."
                ) % {"name": name}))
                outcome.action = "error"
                return
            outcome.action = "update" if changes else "unchanged"
            shown = {"kind": Organization.Kind, "level": Organization.Level}
            outcome.changes = {
                key: [str(shown[key](getattr(existing, key)).label) if key in shown else getattr(existing, key),
                      str(shown[key](value).label) if key in shown else value]
                for key, value in changes.items()
            }
            if changes:
                self.plan.organization_updates[existing] = changes
            return
        parent = self.unit(parent_name, outcome, table.column("org_parent"), table) if parent_name else None
        if not parent_name:
            outcome.problems.append(Problem(table.sheet, number, table.column("org_parent"), _("Give the unit's parent unit.")))
        if outcome.problems:
            outcome.action = "error"
            return
        parent_level = parent.level if isinstance(parent, Organization) else None
        fields = {
            "name": name, "short_name": short_name, "parent": parent,
            "kind": kind or (Organization.Kind.PARTY_GROUP if name.endswith("党组") else Organization.Kind.WORKING_COMMITTEE if "工委" in name else Organization.Kind.PARTY_COMMITTEE),
            "level": level or _level_below(parent_level, name),
        }
        outcome.action = "create"
        self.planned_units[name] = (outcome, fields)
        if short_name:
            self.planned_units.setdefault(short_name, (outcome, fields))
        self.plan.new_organizations.append(fields)

    def _parent_names(self, org: Organization) -> set[str]:
        parent = Organization.objects.get_parent(org)
        return {parent.name, parent.short_name} if parent else set()

    # groups ---------------------------------------------------------------------------------

    def group_of(self, name: str, outcome: Outcome, column: str, table: _Table):
        """The study group ``name`` names: a group's full name, or its unit's full or short name;
        a group this file adds is named by its unit's full name (its key when applying)."""
        if not name:
            return None
        for group in self.groups.values():
            if group.name == name:
                return group
        for unit_key, (planned, existing, short_name) in self.planned_groups.items():
            if name in (unit_key, planned.label, short_name):
                if planned.action == "error":
                    outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
                        "The study group “%(name)s” is not imported: its row has an error (%(sheet)s, row %(row)s)."
                    ) % {"name": name, "sheet": planned.sheet, "row": planned.row}))
                    return None
                return existing or unit_key
        matches = self.by_name.get(name, [])
        if len(matches) == 1 and matches[0].pk in self.groups:
            return self.groups[matches[0].pk]
        outcome.problems.append(Problem(table.sheet, outcome.row, column, _(
            "No study group of the units you manage is called “%(name)s”: list it on the groups sheet, or check its name."
        ) % {"name": name}))
        return None

    def plan_groups(self, table: _Table):
        for number, cells in table.rows:
            unit_name = _text(table.cell(cells, "group_unit"))
            name = _text(table.cell(cells, "group_name") if "group_name" in table.columns else table.cell(cells, "group"))
            outcome = Outcome(table.sheet, number, GROUPS, "error", name or unit_name)
            self.plan.outcomes.append(outcome)
            self._no_formulas(table, cells, outcome)
            unit = self.unit(unit_name, outcome, table.column("group_unit"), table)
            if len(name) > 150:
                outcome.problems.append(Problem(table.sheet, number, table.column("group_name"), _("A group's name has at most 150 characters.")))
            if outcome.problems:
                continue
            unit_key = unit if isinstance(unit, str) else unit.name
            short_name = unit.short_name if isinstance(unit, Organization) else self.planned_units[unit][1].get("short_name", "")
            if unit_key in self.planned_groups:
                outcome.problems.append(Problem(table.sheet, number, table.column("group_unit"), _(
                    "The unit “%(name)s” has its study group listed twice."
                ) % {"name": unit_key}))
                continue
            name = name or f"{unit_key}理论学习中心组"
            outcome.label = name
            existing = self.groups.get(unit.pk) if isinstance(unit, Organization) else None
            if isinstance(unit, Organization) and existing is None and StudyGroup.objects.filter(organization=unit).exists():
                outcome.problems.append(Problem(table.sheet, number, table.column("group_unit"), _(
                    "The study group of “%(name)s” is not among the groups you manage."
                ) % {"name": unit_key}))
                continue
            if existing is not None:
                outcome.action = "update" if existing.name != name else "unchanged"
                if existing.name != name:
                    outcome.changes = {"name": [existing.name, name]}
                    self.plan.group_updates[existing] = {"name": name}
            else:
                outcome.action = "create"
                self.plan.new_groups.append({"unit": unit, "name": name})
            self.planned_groups[unit_key] = (outcome, existing, short_name)

    # people ---------------------------------------------------------------------------------

    def plan_people(self, table: _Table):
        phones = {_phone(table.cell(cells, "phone")) for _number, cells in table.rows}
        usernames = {_text(table.cell(cells, "username")) for _number, cells in table.rows} - {""}
        found = list(User.objects.filter(phone__in=phones - {""}).only("pk", "username", "name", "phone", "email", "position", "organization_id", "is_superuser"))
        found += list(User.objects.filter(username__in=usernames).exclude(pk__in=[u.pk for u in found]).only(
            "pk", "username", "name", "phone", "email", "position", "organization_id", "is_superuser"))
        editable = set(scoping.editable_people(self.by).filter(pk__in=[u.pk for u in found]).values_list("pk", flat=True))
        by_phone: dict[str, list[User]] = {}
        for person in found:
            by_phone.setdefault(person.phone, []).append(person)
        by_username = {person.username: person for person in found}
        taken = set(User.objects.filter(username__in=phones).values_list("username", flat=True))
        for number, cells in table.rows:
            name = _text(table.cell(cells, "name"))
            phone = _phone(table.cell(cells, "phone"))
            outcome = Outcome(table.sheet, number, PEOPLE, "error", f"{name} {phone}".strip())
            self.plan.outcomes.append(outcome)
            self._no_formulas(table, cells, outcome)
            problems = outcome.problems
            if not name:
                problems.append(Problem(table.sheet, number, table.column("name"), _("Give the person's name.")))
            elif len(name) > 50:
                problems.append(Problem(table.sheet, number, table.column("name"), _("A name has at most 50 characters.")))
            if "phone" not in table.columns:
                problems.append(Problem(table.sheet, number, "", _("The sheet has no column of mobile phone numbers (手机号码): people are found again by their phone.")))
            elif not MOBILE.match(phone):
                problems.append(Problem(table.sheet, number, table.column("phone"), _(
                    "“%(value)s” is not an 11-digit mobile phone number."
                ) % {"value": _text(table.cell(cells, "phone"))}))
            elif phone in self.people_rows:
                first = self.people_rows[phone]
                problems.append(Problem(table.sheet, number, table.column("phone"), _(
                    "The phone number %(phone)s is given twice (also in row %(row)s)."
                ) % {"phone": phone, "row": first.row}))
            position = _text(table.cell(cells, "position"))
            if len(position) > 100:
                problems.append(Problem(table.sheet, number, table.column("position"), _("A position has at most 100 characters.")))
            email = _text(table.cell(cells, "email"))
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    problems.append(Problem(table.sheet, number, table.column("email"), _(
                        "“%(value)s” is not an e-mail address."
                    ) % {"value": email}))
            unit = self.unit(_text(table.cell(cells, "unit")), outcome, table.column("unit"), table) if "unit" in table.columns else None
            if "unit" not in table.columns:
                problems.append(Problem(table.sheet, number, "", _("The sheet has no column of units (单位).")))
            username = _text(table.cell(cells, "username"))
            person = None
            if username:
                person = by_username.get(username)
                if person is None:
                    problems.append(Problem(table.sheet, number, table.column("username"), _(
                        "No person has the account “%(value)s”: leave the column empty for a new person."
                    ) % {"value": username}))
            elif MOBILE.match(phone):
                matches = by_phone.get(phone, [])
                if len(matches) > 1 and any(match.pk in editable for match in matches):
                    matches = [match for match in matches if match.pk in editable]
                if len(matches) > 1:
                    problems.append(Problem(table.sheet, number, table.column("phone"), _(
                        "The phone number %(phone)s belongs to more than one account: give the account (账号) to say which."
                    ) % {"phone": phone}))
                person = matches[0] if len(matches) == 1 else None
            if person is not None and person.pk not in editable:
                if username:
                    # As for an account that does not exist: nothing about the one out of reach.
                    problems.append(Problem(table.sheet, number, table.column("username"), _(
                        "No person has the account “%(value)s”: leave the column empty for a new person."
                    ) % {"value": username}))
                else:
                    # Reveals nothing of the person: the number is taken, by someone out of reach.
                    problems.append(Problem(table.sheet, number, table.column("phone"), _(
                        "The phone number %(phone)s is already used by an account outside the units you manage: ask your supervising organisation."
                    ) % {"phone": phone}))
                person = None
            if person is not None and phone != person.phone and MOBILE.match(phone) and any(
                other.pk != person.pk for other in by_phone.get(phone, [])
            ):
                problems.append(Problem(table.sheet, number, table.column("phone"), _(
                    "The phone number %(phone)s belongs to another account."
                ) % {"phone": phone}))
            if MOBILE.match(phone) and phone not in self.people_rows:
                self.people_rows[phone] = outcome
            if problems:
                continue
            wanted = {"name": name, "phone": phone, "position": position, "email": email}
            if person is None:
                outcome.action = "create"
            else:
                # An empty cell (or a column the file does not have) keeps what is there.
                changes = {key: value for key, value in wanted.items()
                           if (getattr(person, key) or "") != value and (value or key not in ("email", "position"))}
                unit_id = unit.pk if isinstance(unit, Organization) else None
                if unit_id != person.organization_id:
                    changes["organization"] = unit
                outcome.action = "update" if changes else "unchanged"
                outcome.changes = {key: [str(getattr(person, key) or ""), str(value)] for key, value in changes.items()}
                self.person_by_phone[phone] = person
            if "group" in table.columns and _text(table.cell(cells, "group")):
                seat = self._plan_seat(table, number, cells, phone, name, person_outcome=outcome)
                if seat.problems:
                    # The row is one record: its seat's error leaves the person out too.
                    outcome.problems.extend(seat.problems)
                    seat.problems = []
                    outcome.action = "error"
                    self.person_by_phone.pop(phone, None)
                    continue
            if person is None:
                username = phone if phone not in taken and phone not in self.new_usernames else self._free_username(phone, taken)
                self.new_usernames.add(username)
                self.plan.new_people.append({**wanted, "username": username, "unit": unit})
                outcome.changes = {"username": [None, username]}
            elif changes:
                self.plan.person_updates[person] = changes

    def _free_username(self, phone: str, taken: set) -> str:
        for n in range(2, 100):
            candidate = f"{phone}_{n}"
            if candidate not in taken and candidate not in self.new_usernames and not User.objects.filter(username=candidate).exists():
                return candidate
        raise RosterError(_("No free account name for %(phone)s.") % {"phone": phone})

    # memberships ----------------------------------------------------------------------------

    def plan_memberships(self, table: _Table):
        phones = {_phone(table.cell(cells, "phone")) for _number, cells in table.rows} - set(self.person_by_phone) - set(self.people_rows)
        managed = set(scoping.managed_people(self.by).values_list("pk", flat=True)) if phones else set()
        for person in User.objects.filter(phone__in=phones).only("pk", "name", "phone"):
            if person.pk in managed:
                self.person_by_phone.setdefault(person.phone, person)
        for number, cells in table.rows:
            phone = _phone(table.cell(cells, "phone"))
            self._plan_seat(table, number, cells, phone, _text(table.cell(cells, "name")))

    def _plan_seat(self, table, number, cells, phone, name, person_outcome=None):
        group_name = _text(table.cell(cells, "group"))
        outcome = Outcome(table.sheet, number, MEMBERSHIPS, "error", f"{name or phone} · {group_name}")
        self.plan.outcomes.append(outcome)
        if person_outcome is None:
            self._no_formulas(table, cells, outcome)
        problems = outcome.problems
        if person_outcome is not None and person_outcome.action == "error":
            problems.append(Problem(table.sheet, number, table.column("group"), _("The person is not imported: their row has an error.")))
            return outcome
        person = self.person_by_phone.get(phone)
        planned_person = self.people_rows.get(phone)
        if person is None and (planned_person is None or planned_person.action != "create"):
            if planned_person is not None and planned_person.action == "error":
                problems.append(Problem(table.sheet, number, table.column("phone"), _(
                    "The person with the phone number %(phone)s is not imported: their row has an error (%(sheet)s, row %(row)s)."
                ) % {"phone": phone, "sheet": planned_person.sheet, "row": planned_person.row}))
            else:
                problems.append(Problem(table.sheet, number, table.column("phone"), _(
                    "No person of the units you manage has the phone number %(phone)s: list them on the people sheet."
                ) % {"phone": phone or "—"}))
        group = self.group_of(group_name, outcome, table.column("group"), table)
        if group is not None and not self._seats_allowed(group):
            problems.append(Problem(table.sheet, number, table.column("group"), _(
                "You do not manage the study group “%(name)s”: its staff seat its members."
            ) % {"name": group_name}))
            group = None
        if not group_name:
            problems.append(Problem(table.sheet, number, table.column("group"), _("Give the study group.")))
        role_text = _text(table.cell(cells, "role")) or "成员"
        role = ROLE_LABELS.get(role_text) or (role_text if role_text in Membership.Role.values else None)
        if role is None:
            problems.append(Problem(table.sheet, number, table.column("role"), _(
                "The role “%(value)s” is not one of 组长, 副组长, 成员, 学习秘书."
            ) % {"value": role_text}))
        try:
            started_on = _date(table.cell(cells, "started_on"))
        except ValueError:
            started_on = None
            problems.append(Problem(table.sheet, number, table.column("started_on"), _(
                "“%(value)s” is not a date (write it as 2026-01-05 or 2026年1月5日)."
            ) % {"value": _text(table.cell(cells, "started_on"))}))
        key = (group if isinstance(group, str) else getattr(group, "pk", None), phone)
        if key in self.seen_seats:
            problems.append(Problem(table.sheet, number, table.column("group"), _(
                "This person is listed twice for the same group (also row %(row)s)."
            ) % {"row": self.seen_seats[key]}))
        self.seen_seats.setdefault(key, number)
        if problems:
            return outcome
        started_on = started_on or self.today
        if isinstance(group, StudyGroup):
            self.listed_seats.setdefault(group.pk, set())
        if isinstance(group, StudyGroup) and person is not None:
            current = self.current_seats.get((group.pk, person.pk))
            self.listed_seats[group.pk].add(person.pk)
            if current is not None:
                outcome.action = "update" if current.role != role else "unchanged"
                if current.role != role:
                    outcome.changes = {"role": [str(current.get_role_display()), str(Membership.Role(role).label)]}
                    self.plan.membership_updates[current] = {"role": role}
                return outcome
        outcome.action = "create"
        outcome.changes = {"role": [None, str(Membership.Role(role).label)]}
        self.plan.new_memberships.append({"group": group, "phone": phone, "person": person, "role": role, "started_on": started_on})
        return outcome

    def _seats_allowed(self, group) -> bool:
        """Seats are given by the staff managing the group (as ``members.seat_member``): an
        existing group they manage, or a new one below an organisation they manage."""
        if isinstance(group, StudyGroup):
            return group.organization_id in self.groups
        unit = next((fields["unit"] for fields in self.plan.new_groups
                     if (fields["unit"].name if isinstance(fields["unit"], Organization) else fields["unit"]) == group), group)
        return self._unit_is_managed(unit)

    def _unit_is_managed(self, unit, depth: int = 0) -> bool:
        if depth > 20:
            return False
        if isinstance(unit, Organization):
            return unit.pk in self.managed_ids
        if unit in self.planned_units:
            return self._unit_is_managed(self.planned_units[unit][1].get("parent"), depth + 1)
        existing = self._existing_unit(unit) if isinstance(unit, str) else None
        return existing is not None and existing.pk in self.managed_ids

    # ----------------------------------------------------------------------------------------

    def _no_formulas(self, table, cells, outcome):
        for name, (index, header) in table.columns.items():
            value = cells[index] if index < len(cells) else None
            # As the cell will be read (full-width ＝＋－＠ become = + - @), tabs and returns too.
            value = _text(value) if isinstance(value, str) else value
            if isinstance(value, str) and value.lstrip(" \t\r\n").startswith(FORMULA_START) and name not in ("phone",):
                outcome.problems.append(Problem(table.sheet, outcome.row, table.column(name), _(
                    "“%(value)s” begins like a formula: write the value itself."
                ) % {"value": value.strip()[:40]}))

    def run(self, tables: list[_Table]) -> RosterPlan:
        self.seen_seats: dict = {}
        self.listed_seats: dict[int, set[int]] = {}
        groups_named = {group.pk for group in self.groups.values()}
        self.current_seats = {
            (seat.group_id, seat.user_id): seat
            for seat in Membership.objects.filter(current_q(), group_id__in=groups_named).select_related("user")
        } if groups_named else {}
        order = {ORGANIZATIONS: 0, GROUPS: 1, PEOPLE: 2, MEMBERSHIPS: 3}
        for table in sorted(tables, key=lambda t: order[t.kind]):
            getattr(self, f"plan_{table.kind}")(table)
        if self.end_missing and any(outcome.problems for outcome in self.plan.outcomes):
            # A row with an error may be the one that lists a seat: end nothing rather than the wrong one.
            self.plan.file_problems.append(Problem("", 0, "", _(
                "Seats missing from the file are ended only when the file has no errors: correct the rows listed and import again."
            )))
        elif self.end_missing:
            for group_id, listed in self.listed_seats.items():
                for (seat_group, person_id), seat in self.current_seats.items():
                    if seat_group == group_id and person_id not in listed:
                        self.plan.memberships_to_end.append(seat)
        for outcome in self.plan.outcomes:
            if outcome.problems:
                outcome.action = "error"
        return self.plan


def _level_below(parent_level: str | None, name: str) -> str:
    if any(word in name for word in ("乡", "镇", "街道")):
        return Organization.Level.TOWNSHIP
    return {
        Organization.Level.PROVINCE: Organization.Level.CITY,
        Organization.Level.CITY: Organization.Level.COUNTY if name.endswith(("县委员会", "区委员会", "市委员会")) else Organization.Level.DEPARTMENT,
    }.get(parent_level, Organization.Level.DEPARTMENT)


def plan_roster(sheets: list[Sheet], *, by: User, end_missing: bool = False) -> RosterPlan:
    """What importing ``sheets`` as ``by`` would do, row by row, and every error; writes nothing."""
    tables, problems = _tables(sheets)
    plan = _Planner(by=by, end_missing=end_missing).run(tables)
    plan.file_problems = problems + plan.file_problems
    return plan


# --- applying --------------------------------------------------------------------------------


@transaction.atomic
def apply_roster(plan: RosterPlan, *, by: User) -> dict:
    """Write ``plan`` (as ``by``, in one transaction): the new units, groups, people (with an
    unusable password until they activate their account) and seats, the changes, and the seats
    to end. Returns the ids of the people created."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    units: dict[str, Organization] = {}
    for fields in plan.new_organizations:
        parent = fields["parent"]
        parent = units[parent] if isinstance(parent, str) else Organization.objects.get(pk=parent.pk)
        unit = Organization(name=fields["name"], short_name=fields["short_name"], kind=fields["kind"], level=fields["level"])
        unit._history_user = by
        units[fields["name"]] = Organization.objects.add_child(parent, instance=unit)
        if fields["short_name"]:
            units.setdefault(fields["short_name"], units[fields["name"]])
    for unit, changes in plan.organization_updates.items():
        unit = Organization.objects.get(pk=unit.pk)
        for key, value in changes.items():
            setattr(unit, key, value)
        unit._history_user = by
        unit.save()

    def resolved_unit(value):
        return units[value] if isinstance(value, str) else value

    groups: dict[str, StudyGroup] = {}
    for fields in plan.new_groups:
        unit = resolved_unit(fields["unit"])
        group = StudyGroup(organization=unit, name=fields["name"])
        group._history_user = by
        group.save()
        groups[unit.name] = group
        if unit.short_name:
            groups.setdefault(unit.short_name, group)
    for group, changes in plan.group_updates.items():
        group = StudyGroup.objects.get(pk=group.pk)
        group.name = changes["name"]
        group._history_user = by
        group.save()

    people = []
    for fields in plan.new_people:
        person = User(
            username=fields["username"], name=fields["name"], phone=fields["phone"], position=fields["position"],
            email=fields["email"], organization=resolved_unit(fields["unit"]),
        )
        person.set_unusable_password()  # set by the person through the activation link
        person.password_changed_at = None
        people.append(person)
    created_people = bulk_create_with_history(people, User, batch_size=1000, default_user=by)
    by_phone = {person.phone: person for person in created_people}
    if any(person.pk is None for person in created_people):  # a database that returns no ids
        by_phone = dict(User.objects.filter(phone__in=list(by_phone)).values_list("phone", "pk"))
        by_phone = {phone: User(pk=pk, phone=phone) for phone, pk in by_phone.items()}

    changed_people = []
    fields_changed: set[str] = set()
    contact_changes = []
    for person, changes in plan.person_updates.items():
        before = {key: getattr(person, key) or "" for key in ("email", "phone")}
        for key, value in changes.items():
            setattr(person, key, resolved_unit(value) if key == "organization" else value)
            fields_changed.add(key)
        changed_people.append(person)
        contact = {key: (before[key], getattr(person, key) or "") for key in before if before[key] != (getattr(person, key) or "")}
        if contact:
            contact_changes.append((person, contact))
    if changed_people:
        bulk_update_with_history(changed_people, User, sorted(fields_changed), batch_size=1000, default_user=by)

    seats = []
    for fields in plan.new_memberships:
        group = fields["group"]
        group = groups[group] if isinstance(group, str) else group
        person = fields["person"] or by_phone[fields["phone"]]
        seats.append(Membership(group=group, user=person, role=fields["role"], started_on=fields["started_on"]))
    bulk_create_with_history(seats, Membership, batch_size=1000, default_user=by)
    if plan.membership_updates:
        updated = []
        for seat, changes in plan.membership_updates.items():
            seat.role = changes["role"]
            updated.append(seat)
        bulk_update_with_history(updated, Membership, ["role"], batch_size=1000, default_user=by)
    if plan.memberships_to_end:
        today = timezone.localdate()
        for seat in plan.memberships_to_end:
            seat.ended_on = max(today, seat.started_on)
        bulk_update_with_history(plan.memberships_to_end, Membership, ["ended_on"], batch_size=1000, default_user=by)
    return {
        "people": [person.pk for person in created_people if person.pk] or [p.pk for p in by_phone.values()],
        "contact_changes": contact_changes,
    }


# --- the template ------------------------------------------------------------------------------

TEMPLATE_SHEETS = (
    ("单位", "单位（党委、党组）", ("单位名称", "简称", "上级单位", "类型", "层级")),
    ("中心组", "理论学习中心组", ("中心组名称", "所属单位")),
    ("人员", "人员", ("姓名", "手机号码", "单位", "职务", "电子邮箱", "账号")),
    ("成员", "中心组成员", ("手机号码", "姓名", "中心组", "组内职务", "起始日期")),
)
TEMPLATE_NOTES = (
    "填写说明",
    "1. 四张表可只填需要的：只加人员时，只填“人员”和“成员”两张表即可；已在系统中的单位和中心组按全称或简称找到，不必重填。",
    "2. 单位：上级单位填全称或简称，须是您管理的单位或本表中前面已列出的单位；类型为 党委、党组 或 党工委；层级可空（按上级推定）。",
    "3. 中心组：每个单位一个中心组；名称可空（按单位名称加“理论学习中心组”）。",
    "4. 人员：按手机号码（11位）识别同一人，再次导入时更新其信息，不会重复建号；新人员不设密码，导入后凭激活链接自设密码（有电子邮箱的发送邮件，其余打印激活通知单发放）。“账号”列仅用于指定系统中已有的账号。",
    "5. 成员：组内职务为 组长、副组长、成员 或 学习秘书（不填按成员）；起始日期如 2026-01-05 或 2026年1月5日，不填为导入当天。",
    "6. 单元格中请直接填写内容，不要使用公式；合并单元格的单位名称会按每行填入。",
    "7. 导入前会先预览每一行将新建、修改或保持不变的内容和错误（含表名、行号、列名）；有错误的行整行不导入，确认后才写入。",
)


def template_workbook():
    """The Excel template staff download, fill and upload (its sheets and headers are the
    ones ``read_roster`` knows first; an office's own roster works too)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from studygroup.documents import add_table_sheet, new_workbook

    workbook = None
    for sheet_name, title, headers in TEMPLATE_SHEETS:
        if workbook is None:
            workbook, sheet = new_workbook(f"花名册导入模板 — {title}", headers)
            sheet.title = sheet_name
        else:
            sheet = add_table_sheet(workbook, f"花名册导入模板 — {title}", headers, sheet_name=sheet_name)
        for index, header in enumerate(headers, start=1):
            letter = sheet.cell(row=2, column=index).column_letter
            choices = {"类型": "党委,党组,党工委", "组内职务": "组长,副组长,成员,学习秘书", "层级": "省级,市级,县级,部门,乡镇"}.get(header)
            if choices:
                rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                rule.error, rule.errorTitle = f"请从列表中选择：{choices}", header
                sheet.add_data_validation(rule)
                rule.add(f"{letter}3:{letter}5000")
            if header in ("手机号码", "账号"):
                for row in range(3, 1003):  # as text: Excel would turn 139… into 1.39E+10
                    sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    for row in notes.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook

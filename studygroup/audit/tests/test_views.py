"""The audit log (审计管理员 only, scoped to their subtree), its filters, pages, detail and Excel
export; the security page (安全管理员: lockouts, unlock, two-factor reset, policy)."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studygroup.audit.models import AuditEntry
from studygroup.audit.services import audit_record
from studygroup.audit.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


@pytest.fixture
def trail(world, admins):
    """Entries of the bureau (county subtree), of the sibling county, and with no organisation.
    The fixtures' own creation already wrote CREATE entries; these are easy to find."""
    return {
        "bureau": audit_record(action=Action.LOGIN, actor=world.member, detail="bureau-login"),
        "township": audit_record(action=Action.EXPORT, actor=world.township_member, object_repr="乡镇花名册.xlsx", detail="township-export"),
        "sibling": audit_record(action=Action.LOGIN, actor=world.sibling_member, detail="sibling-login"),
        "nobody": audit_record(action=Action.LOGIN_FAILED, actor_name="ghost", detail="ghost-failure"),
    }


def details(response):
    return {entry.detail for entry in response.context["entries"]}


# --- who may open it ---------------------------------------------------------------------------------


def test_the_county_auditor_sees_the_countys_entries_only(client_for, trail, admins):
    response = client_for(admins.county_auditor).get(reverse("audit:log"))
    assert response.status_code == 200
    seen = details(response)
    assert {"bureau-login", "township-export"} <= seen
    assert "sibling-login" not in seen
    assert "ghost-failure" not in seen


def test_the_root_auditor_also_sees_entries_without_an_organisation(client_for, trail, admins):
    seen = details(client_for(admins.root_auditor).get(reverse("audit:log")))
    assert {"bureau-login", "township-export", "sibling-login", "ghost-failure"} <= seen


def test_the_superuser_sees_everything(client_for, trail, admins):
    seen = details(client_for(admins.superuser).get(reverse("audit:log")))
    assert {"bureau-login", "township-export", "sibling-login", "ghost-failure"} <= seen


@pytest.mark.parametrize("who", ["sysadmin", "secadmin"])
def test_system_and_security_administrators_get_403(client_for, trail, admins, who):
    client = client_for(getattr(admins, who))
    for name, args in [("audit:log", []), ("audit:export", []), ("audit:detail", [trail["bureau"].pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 403, name
        assert "无权" in response.content.decode() or "不能" in response.content.decode()


@pytest.mark.parametrize("who", ["staff", "leader", "member", "sibling_staff"])
def test_staff_leaders_and_members_get_403(client_for, trail, world, who):
    assert client_for(getattr(world, who)).get(reverse("audit:log")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, trail):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_auditor_whose_session_skipped_the_second_step_is_sent_to_it(client, trail, admins):
    client.force_login(admins.county_auditor)
    session = client.session
    session["audit_2fa_required"] = False  # as if the role came after this login
    session.save()
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:two-factor-enrol"))


def test_an_entry_outside_the_auditors_subtree_is_404(client_for, trail, admins):
    client = client_for(admins.county_auditor)
    assert client.get(reverse("audit:detail", args=[trail["sibling"].pk])).status_code == 404
    assert client.get(reverse("audit:detail", args=[trail["nobody"].pk])).status_code == 404
    assert client.get(reverse("audit:detail", args=[trail["bureau"].pk])).status_code == 200


# --- filters and pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query, expected", [
    ({"person": "member"}, {"bureau-login"}),
    ({"person": "教育局局长"}, {"bureau-login"}),
    ({"person": "ghost"}, {"ghost-failure"}),
    ({"organization": "城关镇"}, {"township-export"}),
    ({"organization": "白水县", "action": "login"}, {"sibling-login"}),
    ({"action": "login_failed"}, {"ghost-failure"}),
])
def test_filters(client_for, trail, admins, query, expected):
    seen = details(client_for(admins.root_auditor).get(reverse("audit:log"), query)) & {
        "bureau-login", "township-export", "sibling-login", "ghost-failure"
    }
    assert seen == expected


def test_filter_by_object_and_dates(client_for, world, admins):
    entry = audit_record(action=Action.UPDATE, obj=world.county, detail="county-edit")
    audit_record(action=Action.UPDATE, obj=world.county, detail="old-edit")
    # Entries are append-only: an older one is inserted with its date.
    AuditEntry.objects.create(
        action=Action.UPDATE, object_type="members.organization", object_id=str(world.county.pk),
        organization=world.county, detail="last-month", at=timezone.now() - timedelta(days=30),
    )
    client = client_for(admins.root_auditor)
    response = client.get(reverse("audit:log"), {"object_type": "members.organization", "object_id": str(world.county.pk)})
    assert {"county-edit", "old-edit", "last-month"} <= details(response)
    today = timezone.localdate()
    response = client.get(reverse("audit:log"), {"date_from": (today - timedelta(days=31)).isoformat(), "date_to": (today - timedelta(days=29)).isoformat()})
    assert "last-month" in details(response)
    assert entry.detail not in details(response)


@pytest.mark.parametrize("query", [
    {"date_from": "2026-02-30"}, {"date_to": "99999-01-01"}, {"date_from": "0001-01-01"},
    {"action": "drop table"}, {"object_type": "x" * 500}, {"ip": "not-an-ip"}, {"page": "-5"},
    {"page": "99999999999999999999"}, {"person": "\x00" + "长" * 300}, {"object_id": "9" * 80},
    {"date_from": "2026-05-01", "date_to": "2026-04-01"},
])
def test_hostile_filter_input_never_breaks_the_page(client_for, trail, admins, query):
    response = client_for(admins.root_auditor).get(reverse("audit:log"), query)
    assert response.status_code == 200


def test_a_bad_date_gets_a_chinese_error_and_keeps_what_was_typed(client_for, trail, admins):
    response = client_for(admins.root_auditor).get(reverse("audit:log"), {"date_from": "2026-05-01", "date_to": "2026-04-01", "person": "member"})
    body = response.content.decode()
    assert "结束日期不能早于开始日期" in body
    assert 'value="member"' in body


def test_pages_without_counting_the_table(client_for, world, admins, settings):
    settings.AUDIT_PAGE_SIZE = 3
    for number in range(7):
        audit_record(action=Action.EXPORT, actor=world.member, detail=f"page-test-{number}")
    client = client_for(admins.root_auditor)
    first = client.get(reverse("audit:log"), {"action": "export"})
    assert len(first.context["entries"]) == 3
    assert first.context["has_next"]
    third = client.get(reverse("audit:log"), {"action": "export", "page": 3})
    assert len(third.context["entries"]) == 1
    assert not third.context["has_next"]
    assert "page=2" in third.content.decode()


def test_log_query_count_does_not_grow_with_entries(client_for, world, admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(admins.county_auditor)
    audit_record(action=Action.LOGIN, actor=world.member)
    client.get(reverse("audit:log"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("audit:log"))
    for _ in range(30):
        audit_record(action=Action.LOGIN, actor=world.member)
        audit_record(action=Action.EXPORT, actor=world.township_member, object_repr="x.xlsx")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit:log"))
    assert len(response.context["entries"]) > 20
    assert len(many) == len(one)
    assert not any("COUNT(" in query["sql"].upper() for query in many.captured_queries if "audit_auditentry" in query["sql"])


# --- detail and export ------------------------------------------------------------------------------


def test_detail_shows_the_before_and_after_of_each_field(client_for, world, admins):
    world.member.position = "党组书记、局长"
    world.member.save()
    entry = AuditEntry.objects.filter(action=Action.UPDATE, object_type="members.user", object_id=str(world.member.pk)).last()
    response = client_for(admins.county_auditor).get(reverse("audit:detail", args=[entry.pk]))
    body = response.content.decode()
    assert "党组成员" in body
    assert "党组书记、局长" in body
    assert "职务" in body  # the field's name as people read it
    assert "修改前" in body
    assert "修改后" in body


def test_excel_export_opens_with_the_filtered_rows_and_is_itself_recorded(client_for, trail, admins):
    from openpyxl import load_workbook

    client = client_for(admins.county_auditor)
    response = client.get(reverse("audit:export"), {"action": "export"}, REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert any(row[7] == "乡镇花名册.xlsx" for row in rows)
    assert all(row[4] == "导出" for row in rows)
    assert not any("sibling" in str(row) for row in rows)
    recorded = AuditEntry.objects.filter(action=Action.EXPORT, actor=admins.county_auditor)
    assert recorded.count() == 1
    assert recorded.get().changes["filters"] == {"action": "export"}
    assert recorded.get().ip == "10.2.2.2"


def test_excel_export_writes_formulas_as_text(client_for, world, admins):
    from openpyxl import load_workbook

    audit_record(action=Action.LOGIN_FAILED, actor_name="=HYPERLINK(\"http://evil\")")
    response = client_for(admins.root_auditor).get(reverse("audit:export"), {"action": "login_failed"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)


def test_excel_export_stops_at_the_limit_and_says_so(client_for, world, admins, settings):
    from openpyxl import load_workbook

    settings.AUDIT_EXPORT_MAX_ROWS = 2
    for _ in range(3):
        audit_record(action=Action.EXPORT, actor=world.member)
    response = client_for(admins.root_auditor).get(reverse("audit:export"), {"action": "export"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 3
    assert "仅导出了前 2 条记录" in rows[-1][0]


# --- the security page (安全管理员) -------------------------------------------------------------------------


def fail_logins(client, username, times=5):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong"})


def test_security_page_lists_locked_people_of_the_subtree_and_the_policy(client, client_for, world, admins):
    fail_logins(client, "member")
    fail_logins(client, "sibling_member")
    fail_logins(client, "township_member", times=2)
    response = client_for(admins.secadmin).get(reverse("audit:security"))
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.context["lockouts"]}
    assert rows["member"]["locked"]
    assert not rows["township_member"]["locked"]
    assert "sibling_member" not in rows
    body = response.content.decode()
    assert "现行安全策略" in body
    assert "连续失败 5 次，账号锁定 15 分钟" in body


def test_security_page_query_count_does_not_grow(client, client_for, world, admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fail_logins(client, "member")
    secadmin = client_for(admins.root_secadmin)
    secadmin.get(reverse("audit:security"))
    with CaptureQueriesContext(connection) as one:
        secadmin.get(reverse("audit:security"))
    anonymous = client_for(None)
    for name in ("staff", "leader", "other_member", "township_member", "ghost1", "ghost2"):
        fail_logins(anonymous, name, times=2)
    secadmin = client_for(admins.root_secadmin)
    secadmin.get(reverse("audit:security"))
    with CaptureQueriesContext(connection) as many:
        response = secadmin.get(reverse("audit:security"))
    assert len(response.context["lockouts"]) >= 7
    assert len(many) == len(one)


def test_the_security_administrator_unlocks_before_the_lock_runs_out(client, client_for, world, admins):
    fail_logins(client, "member")
    assert client.post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 429
    response = client_for(admins.secadmin).post(reverse("audit:unlock"), {"username": "member"})
    assert response.status_code == 302
    anonymous = client_for(None)
    assert anonymous.post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 302


def test_unlocking_someone_outside_the_subtree_is_404(client, client_for, world, admins):
    fail_logins(client, "sibling_member")
    response = client_for(admins.secadmin).post(reverse("audit:unlock"), {"username": "sibling_member"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=Action.UNLOCK).exists()


@pytest.mark.parametrize("who", ["sysadmin", "county_auditor"])
def test_other_administrators_cannot_unlock(client_for, world, admins, who):
    client = client_for(getattr(admins, who))
    assert client.get(reverse("audit:security")).status_code == 403
    assert client.post(reverse("audit:unlock"), {"username": "member"}).status_code == 403


def test_staff_cannot_open_the_security_page(client_for, world):
    assert client_for(world.staff).get(reverse("audit:security")).status_code == 403


def test_two_factor_reset_of_a_member_and_not_of_an_administrator(client_for, world, admins):
    from django_otp.plugins.otp_static.models import StaticDevice

    from studygroup.audit.services import backup_codes_regenerate

    backup_codes_regenerate(user=world.member, record=False)
    backup_codes_regenerate(user=admins.county_auditor, record=False)
    client = client_for(admins.root_secadmin)
    client.post(reverse("audit:two-factor-reset"), {"username": "member"})
    assert not StaticDevice.objects.filter(user=world.member).exists()
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR, actor=admins.root_secadmin, object_id=str(world.member.pk)).exists()
    client.post(reverse("audit:two-factor-reset"), {"username": "county_auditor"})
    assert StaticDevice.objects.filter(user=admins.county_auditor).exists()
    client = client_for(admins.secadmin)
    client.post(reverse("audit:two-factor-reset"), {"username": "sibling_member"})
    body = client.get(reverse("audit:security")).content.decode()
    assert "在您管理的人员中没有账号 sibling_member" in body


# --- home and navigation ------------------------------------------------------------------------------


def test_the_auditor_finds_the_log_from_the_home_page(client_for, admins):
    body = client_for(admins.county_auditor).get(reverse("home")).content.decode()
    assert reverse("audit:log") in body
    assert reverse("audit:security") not in body
    assert "尚未加入任何中心组" not in body


def test_the_system_administrator_has_no_link_to_the_log(client_for, admins):
    body = client_for(admins.sysadmin).get(reverse("home")).content.decode()
    assert reverse("audit:log") not in body

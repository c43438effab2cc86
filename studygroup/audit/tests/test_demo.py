import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.demo import DEMO_PASSWORD
from studygroup.audit.demo import BACKUP_CODES, seed

pytestmark = pytest.mark.django_db


def test_demo_administrators_have_fixed_backup_codes_and_no_authenticator(demo):
    seed()
    for username, codes in BACKUP_CODES.items():
        assert sorted(StaticToken.objects.filter(device__user__username=username).values_list("token", flat=True)) == codes
        assert not TOTPDevice.objects.filter(user__username=username).exists()


def test_a_demo_administrator_logs_in_with_a_backup_code_and_seeding_again_restores_it(client, demo):
    seed()
    client.post(reverse("login"), {"username": "demo-auditor", "password": DEMO_PASSWORD})
    response = client.post(reverse("audit:two-factor-verify"), {"code": "audt0001"})
    assert response.status_code == 302
    assert client.get(reverse("audit:log")).status_code == 200
    assert not StaticToken.objects.filter(token="audt0001").exists()
    seed()
    assert StaticToken.objects.filter(token="audt0001").exists()
    assert StaticToken.objects.filter(device__user__username="demo-auditor").count() == 10

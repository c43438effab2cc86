"""Demo two-factor backup codes for ``seed_demo``: the three administrators (三员) and the
superuser get ten fixed one-time codes each (listed in the README) and no authenticator app,
so a fresh clone can log in; they may set up an app afterwards. Each run restores the codes
that were used, and changes nothing when all are there.
"""

from members.models import User

BACKUP_CODES = {
    "demo-sysadmin": [f"sysa{n:04d}" for n in range(1, 11)],
    "demo-secadmin": [f"seca{n:04d}" for n in range(1, 11)],
    "demo-auditor": [f"audt{n:04d}" for n in range(1, 11)],
    "demo-admin": [f"root{n:04d}" for n in range(1, 11)],
}


def seed(result=None) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from studygroup.audit import twofactor

    for username, codes in BACKUP_CODES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=twofactor.BACKUP_NAME, defaults={"confirmed": True}
        )
        present = set(device.token_set.values_list("token", flat=True))
        stale = present - set(codes)
        if stale:
            device.token_set.filter(token__in=stale).delete()
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes if code not in present])
    if result is not None and "accounts" in result:
        result["accounts"] = [
            f"{name} (two-factor backup codes {BACKUP_CODES[name][0]} … {BACKUP_CODES[name][-1]})"
            if name in BACKUP_CODES else name
            for name in result["accounts"]
        ]

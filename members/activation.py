"""Activation links: a person brought in by a roster import has no password; they choose one
through a link that only they receive (by e-mail, or on the printed list staff hand out).

The link is signed (``django.core.signing``, salted for this purpose) and carries the person's id
and a fingerprint of their current password hash. It expires after ``ACCOUNT_ACTIVATION_DAYS``;
it works once, because choosing a password changes the hash (as does a staff reset, which
therefore voids links already printed). Nothing about the link is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from members.models import User

SALT = "members.activation"


class ActivationInvalid(Exception):
    """The link is altered, used already, or its person cannot log in."""


class ActivationExpired(ActivationInvalid):
    """The link was right but is older than ``ACCOUNT_ACTIVATION_DAYS``."""


def _fingerprint(person: User) -> str:
    return salted_hmac(SALT, f"{person.pk}:{person.password}:{person.is_active}").hexdigest()[:20]


def awaits_activation(person: User) -> bool:
    return person.is_active and not person.has_usable_password()


def holds_power(person: User) -> bool:
    """A superuser or a holder of any role: activated by a 安全管理员's reset, never by a link that
    the staff who imported them could print again."""
    from members.models import OrganizationAssignment, current_q

    return person.is_superuser or person.is_staff or OrganizationAssignment.objects.filter(current_q(), user=person).exists()


def activation_token(person: User) -> str:
    return signing.dumps([person.pk, _fingerprint(person)], salt=SALT)


def activation_path(person: User) -> str:
    return reverse("members:account-activate", kwargs={"token": activation_token(person)})


def activation_url(person: User) -> str:
    return settings.SITE_URL.rstrip("/") + activation_path(person)


def person_for_token(token: str) -> User:
    """The person the link is for, while it is valid; else ``ActivationExpired`` or ``ActivationInvalid``."""
    try:
        person_id, fingerprint = signing.loads(
            token, salt=SALT, max_age=settings.ACCOUNT_ACTIVATION_DAYS * 24 * 3600,
        )
    except signing.SignatureExpired as error:
        raise ActivationExpired from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise ActivationInvalid from error
    person = User.objects.filter(pk=person_id).first() if isinstance(person_id, int) else None
    if person is None or not awaits_activation(person) or not constant_time_compare(str(fingerprint), _fingerprint(person)):
        raise ActivationInvalid
    if holds_power(person):
        raise ActivationInvalid
    return person


def awaiting(people):
    """Those of ``people`` (a queryset) who have not activated their account yet."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    return people.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)

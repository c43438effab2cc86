"""Celery tasks of members: ids as keyword arguments; idempotent."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="members.send_activation_emails", acks_late=True, autoretry_for=(OSError,),
             retry_backoff=60, retry_kwargs={"max_retries": 5})
def send_activation_emails(*, person_ids: list[int]) -> int:
    """E-mail each new person who has an address and has not activated yet their own activation
    link (made now, never stored). Returns how many were sent."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.template.loader import render_to_string
    from django.utils import translation

    from members import activation
    from members.models import User

    people = activation.awaiting(User.objects.filter(pk__in=person_ids)).exclude(email="")
    sent = 0
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    with translation.override(settings.LANGUAGE_CODE):
        for person in people.iterator():
            context = {"person": person, "url": activation.activation_url(person), "days": settings.ACCOUNT_ACTIVATION_DAYS,
                       "site": settings.SITE_URL}
            message = EmailMultiAlternatives(
                subject=settings.EMAIL_SUBJECT_PREFIX + translation.gettext("Activate your account"),
                body=render_to_string("members/activation_email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email], connection=connection,
            )
            message.send(fail_silently=False)
            sent += 1
    return sent

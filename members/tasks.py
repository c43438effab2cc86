"""Celery tasks of members: ids as keyword arguments; idempotent."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="members.send_activation_emails", acks_late=True, max_retries=5)
def send_activation_emails(self, *, person_ids: list[int]) -> int:
    """E-mail each new person who has an address and has not activated yet their own activation
    link (made now, never stored). Those the mail server refused are tried again later (not when
    running in-process: the import has been written, and the printed list has their links)."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.template.loader import render_to_string
    from django.utils import translation

    from members import activation
    from members.models import User

    people = activation.awaiting(User.objects.filter(pk__in=person_ids)).exclude(email="")
    sent, failed = 0, []
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
            try:
                message.send(fail_silently=False)
            except OSError as error:  # the mail server is down or refused: smtplib's errors are OSErrors
                logger.warning("Activation e-mail to person %s not sent: %s", person.pk, type(error).__name__)
                failed.append(person.pk)
                continue
            sent += 1
    if failed and not self.request.is_eager:
        raise self.retry(kwargs={"person_ids": failed}, countdown=60 * 2 ** self.request.retries)
    return sent

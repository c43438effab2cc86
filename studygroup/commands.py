"""What the import commands share: acting as a staff account (its scope and checks, as in the
browser) and reading a file through the one upload validator."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError


def acting_user(username: str, permission: str, refusal: str):
    """The active account ``username``, which must hold ``permission`` (else ``refusal``)."""
    try:
        person = get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist as error:
        raise CommandError(f"No active account {username}.") from error
    if not person.has_perm(permission):
        raise CommandError(refusal)
    return person


def checked_file(file: str, upload_policy: str) -> tuple[str, bytes]:
    """(name, bytes) of ``file``, refused as the browser's upload field would refuse it."""
    from studygroup.uploads import check_upload

    path = Path(file)
    if not path.is_file():
        raise CommandError(f"No file {file}.")
    data = path.read_bytes()
    try:
        check_upload(SimpleUploadedFile(path.name, data), upload_policy)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    return path.name, data

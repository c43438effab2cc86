"""A per-request memo for permission predicates.

A page may ask the same scope question for many rows (may this user decide each of twenty
proposals of one group?). Within one request the answer cannot change, so the predicates in
each app's ``rules.py`` remember it here: the query count of a page stays constant. Outside a
request (services called from tasks, tests, the shell) nothing is remembered, so a changed role
is seen at once.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("permission_memo", default=None)


def remembered(key: tuple, compute: Callable[[], bool]) -> bool:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(key: tuple) -> None:
    """Drop one remembered answer (a service changed what it depends on, mid-request)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


def in_scope(name: str, user, queryset_of: Callable, pk) -> bool:
    """Is ``pk`` in ``queryset_of(user)`` (a scoping function)? One EXISTS query, remembered for
    the request."""
    if pk is None or user is None:
        return False
    return remembered(
        (name, getattr(user, "pk", None), pk), lambda: queryset_of(user).filter(pk=pk).exists()
    )


@contextmanager
def remembering():
    """Remember the answers inside this block, as within a request: for a batch that asks the
    same questions of the same people many times while their roles do not change (a demo)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class PermissionMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with remembering():
            return self.get_response(request)

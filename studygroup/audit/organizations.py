"""The organisation an audit entry is filed under (what auditors filter by): found by following
the object's foreign keys to an ``Organization`` (e.g. a meeting → its group → the group's
organisation), cached by object."""

import threading
from collections import OrderedDict, deque

from members.models import Organization, User

_paths: dict = {}
_cache: "OrderedDict[tuple, int | None]" = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 20000


def _organization_path(model) -> tuple | None:
    """The shortest chain of forward foreign keys from ``model`` to Organization (people are
    not followed: a membership belongs to its group's organisation, not the person's)."""
    if model in _paths:
        return _paths[model]
    found = None
    if issubclass(model, Organization):
        found = ()
    else:
        queue = deque([(model, ())])
        seen = {model}
        while queue and found is None:
            current, path = queue.popleft()
            if len(path) >= 4:
                continue
            fields = [
                f for f in current._meta.concrete_fields
                if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
                and not (path == () and f.related_model is User and current is not User)
            ]
            # A field named after the organisation wins over other routes of the same length.
            fields.sort(key=lambda f: (f.related_model is not Organization, f.name != "organization"))
            for field in fields:
                target = field.related_model
                if target is Organization:
                    found = path + (field,)
                    break
                if target is User or target in seen or target._meta.app_label in ("auth", "contenttypes"):
                    continue
                seen.add(target)
                queue.append((target, path + (field,)))
    _paths[model] = found
    return found


def organization_id_of(obj) -> int | None:
    """The id of the organisation ``obj`` belongs to, or None."""
    if obj is None:
        return None
    model = obj._meta.concrete_model  # also for a lazy request.user or a proxy model
    if isinstance(obj, Organization):
        return obj.pk
    path = _organization_path(model)
    if not path:
        return None
    first = path[0]
    value = getattr(obj, first.attname, None)
    if value is None or len(path) == 1:
        return value
    key = (first.related_model._meta.label_lower, value)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    lookup = "__".join(field.name for field in path[1:-1]) + ("__" if len(path) > 2 else "") + path[-1].attname
    result = first.related_model._base_manager.filter(pk=value).values_list(lookup, flat=True).first()
    with _cache_lock:
        _cache[key] = result
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def forget() -> None:
    """Drop the cached organisations: a database rolled back (a test) may give the same ids to
    other objects."""
    with _cache_lock:
        _cache.clear()

"""The URL (in the form ``DATABASE_URL`` takes) of a database this process is connected to, so
that a process of its own opens the same one: the tests' Celery worker, the benchmark's gunicorn,
the restore rehearsal's database."""

from urllib.parse import quote


def database_url(connection, *, name: str | None = None) -> str:
    """``connection``'s database, or the database ``name`` on the same server. Raises ValueError
    for an in-memory SQLite database (no other process can open it) or another engine."""
    settings_dict = connection.settings_dict
    name = str(name or settings_dict["NAME"])
    if connection.vendor == "sqlite":
        if name == ":memory:" or "mode=memory" in name:
            raise ValueError("an in-memory SQLite database cannot be opened by another process")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{quote(name, safe='')}"
    raise ValueError(f"no database URL for {connection.vendor}")

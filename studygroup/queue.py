"""Queue a Celery task by its name: a service need not import the module that defines the task
(which imports the service back). Each app imports its own ``tasks`` module when it starts
(``AppConfig.ready``), so the name is known in every process; where Celery is eager (the
embedded default, the tests) the task runs at once, as with ``delay``."""

from celery import current_app


def enqueue(name: str, **kwargs):
    if name not in current_app.tasks:
        raise LookupError(f"No Celery task named {name!r}: is its app's tasks module imported in ready()?")
    return current_app.tasks[name].apply_async(kwargs=kwargs)

"""gunicorn's settings (deploy/systemd/studygroup-web.service starts gunicorn with this file).

Change the address and the number of processes in the environment file
(/etc/studygroup/studygroup.env), not here.
"""

import os

# nginx on the same machine passes requests here; with several web machines behind one nginx,
# bind to the machine's internal address and set FORWARDED_ALLOW_IPS to nginx's address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# About two per CPU core; each holds one request at a time.
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# The longest a request may take: a PDF nobody has built yet is built in the web process
# after waiting for the Celery worker (reports.services.build_now: up to 30 s). nginx waits a
# little longer (proxy_read_timeout 65s in deploy/nginx/studygroup.conf), so gunicorn's own
# timeout is what ends a stuck request.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Renew each process now and then (memory held by WeasyPrint and fonts is given back).
max_requests = 2000
max_requests_jitter = 200
# Files written by the app (uploads, PDFs) are not readable by other users.
umask = 0o027
# The app writes one JSON line per request (studygroup.observability): no access log here;
# gunicorn's own messages go to standard error as JSON too (journald keeps both).
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "studygroup.observability.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
    },
}
# The heartbeat files of the worker processes: in memory, not on disk.
worker_tmp_dir = "/dev/shm"
# systemd starts, stops and reloads gunicorn (systemctl reload sends HUP): no control socket.
control_socket_disable = True

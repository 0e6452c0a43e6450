"""gunicorn's settings for foldcard, read from this folder: `gunicorn foldcard.wsgi`.

Options given on the command line or in GUNICORN_CMD_ARGS take precedence.
"""

from __future__ import annotations

import os

# Behind a proxy on the same machine; `--bind 0.0.0.0:8000` for a proxy elsewhere.
bind = "127.0.0.1:8000"
# A starting point: twice the cores plus one, as requests mostly wait for the database.
workers = int(os.getenv("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
# Workers are replaced after about a thousand requests, at different moments, so that
# memory a request left behind is given back without all workers restarting at once.
max_requests = 1000
max_requests_jitter = 100
# A worker silent for this long is killed and replaced. The slowest request measured, a
# CSV export, takes 1 to 1.6 s for 100,000 cards on PostgreSQL and 15 s for 1,000,000.
timeout = 60
graceful_timeout = 30
# gunicorn's control socket (gunicornc) is one path per user by default, which several
# servers on one machine would share; foldcard does not use it.
control_socket_disable = True
accesslog = "-"

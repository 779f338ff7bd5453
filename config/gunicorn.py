"""gunicorn's settings for production (`bin/serve` runs `gunicorn -c config/gunicorn.py config.wsgi`).

Every value can be set from the environment; the defaults suit a small college on 2 cores behind nginx
(deploy/nginx/), which takes in slow clients' request bodies whole before gunicorn sees them, so a thread is
never held by a client that stalls. Threads (gthread workers) serve the I/O-bound pages and file downloads;
a worker process is restarted after GUNICORN_MAX_REQUESTS requests to bound memory growth.

    GUNICORN_BIND           address to listen on                         127.0.0.1:8000 (nginx proxies to it)
    GUNICORN_WORKERS        worker processes                             2
    GUNICORN_THREADS        threads per worker                           8
    GUNICORN_TIMEOUT        seconds a worker may be silent before it is restarted    60
    GUNICORN_MAX_REQUESTS   requests before a worker is replaced (0: never)           2000
"""

from config.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
workers = env_int("GUNICORN_WORKERS", 2)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 8)
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# nginx on this machine sets X-Forwarded-Proto; nobody else may.
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
# Headers no larger than a browser's (the proxy refuses bigger ones first).
limit_request_field_size = 8190
# gunicorn 27's control socket (one path per user: two servers on one machine would share it) is not used.
control_socket_disable = True

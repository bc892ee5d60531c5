"""gunicorn settings, read from the working directory (Dockerfile, compose).

If an operator turns the access log on (``--access-logfile -``), each line
names the path without its query string or referrer: a URL must never carry
personal data, and this keeps one that slipped through out of the log."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'

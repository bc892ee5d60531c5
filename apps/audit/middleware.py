import pghistory


def client_address(request) -> str:
    # REMOTE_ADDR is the only address a client cannot forge; a TLS proxy in
    # front is configured through PROXY_COUNT for login lockout instead.
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    """Attach who, from where and through which URL to every row change.

    pghistory's triggers copy this context into each change event, including
    bulk ``QuerySet.update()`` calls that bypass ``save()``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        context = {
            "user": user.pk if user is not None and user.is_authenticated else None,
            "url": request.path,
            "method": request.method,
            "ip": client_address(request),
        }
        with pghistory.context(**context):
            return self.get_response(request)

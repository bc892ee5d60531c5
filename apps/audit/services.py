from apps.audit.middleware import client_address
from apps.audit.models import AccessAction, AccessLog


def log_listing(*, request, objects) -> None:
    """Record that the requesting user was shown a page of personal records."""
    AccessLog.objects.bulk_create([_entry(request, obj, AccessAction.LIST) for obj in objects])


def _entry(request, obj, action, region=None) -> AccessLog:
    return AccessLog(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=getattr(obj, "audit_label", str(obj))[:200],
        region=region if region is not None else getattr(obj, "audit_region", None),
        ip=client_address(request) or None,
        path=request.path[:300],
    )


def log_access(*, request, obj, action: str = AccessAction.VIEW, region=None) -> AccessLog:
    """Record that the requesting user read a personal record.

    ``obj.audit_label`` (never an identity or phone number) names the record;
    ``region`` defaults to the record's ``audit_region``.
    """
    entry = _entry(request, obj, action, region)
    entry.save()
    return entry

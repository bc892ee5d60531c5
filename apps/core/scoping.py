"""Which rows a user may see: the one rule, used by every entry point.

A model that belongs to a place declares where its place is:

    scope_region = "residence_street"          # a path to a Region
    scope_region = ("hukou_street", "residence_street")   # any of several
    scope_provider = "provider"                # a path to a Provider

and uses ``ScopedManager`` (or ``ScopedQuerySet.as_manager()``). Then
``Model.objects.visible_to(user)`` is the only way views, API viewsets,
admin changelists, exports and PDF downloads read it. A region path of ""
means the model is itself a Region.

Regions carry a materialised ``path`` of their codes ("/440100/440106/"):
a user's subtree is one indexed prefix match, resolved to ids once per
request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """A user's jurisdiction: everything, a region subtree, or a provider."""

    everything: bool = False
    # The path of the jurisdiction's root; an assessor's jurisdiction is the
    # districts their body is contracted for, their paths joined by commas.
    region_path: str | None = None
    provider_id: int | None = None
    # The regions at and under region_path, resolved once per request: a
    # literal id list lets PostgreSQL use each foreign-key index.
    region_ids: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_path or self.provider_id)


NOTHING = Scope()


def scope_for(user) -> Scope:
    """Return the jurisdiction of ``user``; cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_eldercare_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._eldercare_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    from apps.accounts.roles import Role

    if user.is_superuser:
        return Scope(everything=True)
    if getattr(user, "provider_id", None):
        return Scope(provider_id=user.provider_id)
    if user.role == Role.ASSESSOR:
        return _assessor_scope(user)
    region = getattr(user, "region", None)
    if region is None:
        return NOTHING
    if region.parent_id is None:
        # The city node: city staff and administrators see the whole city.
        return Scope(everything=True)
    return Scope(region_path=region.path, region_ids=subtree_ids(region.path))


def _assessor_scope(user) -> Scope:
    """An assessor sees the districts their body is contracted for (Art 20),
    whatever the account's own region; an account not linked to an active
    assessor sees nothing."""
    from apps.regions.models import Region

    paths = sorted(Region.objects.filter(
        assessment_bodies__assessors__user=user,
        assessment_bodies__assessors__active=True).values_list("path", flat=True).distinct())
    if not paths:
        return NOTHING
    return Scope(region_path=",".join(paths), region_ids=subtree_ids(*paths))


def subtree_ids(*paths: str) -> tuple[int, ...]:
    from apps.regions.models import Region

    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    return tuple(Region.objects.filter(under).values_list("pk", flat=True))


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def scope_condition(model, scope: Scope) -> Q:
    """Return the filter selecting the rows of ``model`` inside ``scope``.

    A region path becomes "<fk> IN (the subtree's ids)" rather than a join
    per path: with several paths (an elder's hukou and residence streets)
    PostgreSQL then ORs two index scans instead of scanning the table.
    """
    condition = Q(pk__in=[])
    if scope.region_path:
        for path in _as_tuple(getattr(model, "scope_region", None)):
            lookup = f"{path}__in" if path else "pk__in"
            condition |= Q(**{lookup: scope.region_ids})
    if scope.provider_id:
        for path in _as_tuple(getattr(model, "scope_provider", None)):
            condition |= Q(**{path: scope.provider_id})
    return condition


def is_scoped_model(model) -> bool:
    return hasattr(model, "scope_region") or hasattr(model, "scope_provider")


def choices_for(model, user):
    """The rows of ``model`` a form or filter may offer ``user`` (None: any)."""
    if not is_scoped_model(model):
        return None
    return model._default_manager.visible_to(user)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows ``user`` may see; nothing at all for an unknown jurisdiction."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.is_empty:
            return self.none()
        return self.filter(scope_condition(self.model, scope))


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one row through the user's scope; out of scope reads as absent.

    The answer is the same 404 for "does not exist" and "not yours", so a
    response never reveals that a record exists elsewhere.
    """
    queryset = getattr(queryset_or_model, "objects", queryset_or_model)
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc

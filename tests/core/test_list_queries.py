"""Every list page's query count stays the same as its rows grow.

The pages are taken from the URL resolver: every HTML pattern without
arguments whose view lists rows (a ``ListView``, or one of the list-like
pages named in ``OTHER_LISTS``; every other pattern without arguments must
be named in ``NOT_LISTS``, so a new page cannot slip through), every Django
admin changelist, and every list endpoint of the API router. The rows are
the scope-leak walk's victims (``tests/core/scope_walk.py``: one row of
every scoped model), seen by users holding every permission: one of the
district (it sees every victim) and one of the victims' provider. Each page
is requested once to warm caches, then its queries are counted; then three
more rows of every kind are built (for the same provider) and the queries
counted again: the counts must be equal. Policy values are read once per
district shown (a district's own version wins over the city's): those
lookups are not counted, but may not outnumber the districts.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.list import MultipleObjectMixin

from apps.providers.models import Provider
from apps.regions.models import Region
from eldercare.api import router
from tests.core import scope_walk

pytestmark = pytest.mark.django_db

# HTML pages without arguments that list rows without being a ListView
OTHER_LISTS = {
    "core:home",  # the menu (and its counts)
    "applications:deadlines",  # overdue and due-soon files per office
    "workdays:calendar",  # the calendar's days
    "facilities:overview",  # facilities per street
    "visits:mobile_today",  # the caregiver's visits of the day
    "visits:tokens",  # the provider's API keys
    "settlement:reconciliation",  # the districts' advances and spending
    "catalogue_public:guide_prices",  # the public guide prices
}
# HTML pages without arguments that are not lists: forms, files, redirects
NOT_LISTS = {
    "accounts:login", "accounts:logout", "set_language",
    "elders:elder_register", "elders:elder_import", "elders:elder_import_confirm",
    "elders:elder_import_report", "elders:elder_import_template", "elders:check_number",
    "elders:street_search",
    "assessments:fee_statement_compile",
    "facilities:facility_create", "providers:provider_create",
    "providers:mine",  # a redirect to the provider's own page
    "contracts:contract_create",
    "evaluations:evaluation_open", "caremanagers:assign",
    "visits:mobile_start", "visits:followup_sample", "visits:upload",
    "visits:upload_template",
    "complaints:complaint_create",
    "settlement:reconciliation_xlsx", "settlement:reconciliation_advance",
    "api-root", "api-schema", "api-docs",
}
MORE = 3  # rows of every kind added between the two counts


def _patterns(resolver=None, namespace=""):
    """(qualified name, route, callback) of every pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from ((name, str(entry.pattern) + route, callback)
                        for name, route, callback in _patterns(entry, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", str(entry.pattern), entry.callback


def html_list_pages() -> tuple[list[str], list[str]]:
    """The HTML list pages' names, and the argument-less patterns nobody
    classified (a new page must be named in OTHER_LISTS or NOT_LISTS)."""
    lists, unknown = [], []
    for name, route, callback in _patterns():
        if ("<" in route or "(?P" in route or name.startswith("admin:")
                or route.startswith("api/^")):
            continue
        view_class = getattr(callback, "view_class", None)
        if name in OTHER_LISTS or (view_class and issubclass(view_class, MultipleObjectMixin)
                                   and name not in NOT_LISTS):
            lists.append(name)
        elif name not in NOT_LISTS:
            unknown.append(name)
    return lists, unknown


def admin_changelists() -> list[str]:
    return [f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            for model in admin_site._registry]


def api_lists() -> list[str]:
    return [f"{basename}-list" for _prefix, _viewset, basename in router.registry]


def more_rows(world: scope_walk.World) -> None:
    """Another row of every scoped model, built as the walk's victims are
    (in a new district: some rows are one per district and month), the
    provider-owned ones for the same provider."""
    from tests.factories import RegionFactory

    district = RegionFactory.district()
    more = scope_walk.World(district=district,
                            street=RegionFactory.street(district, name=scope_walk._marker()),
                            sibling=RegionFactory.street(district),
                            other_district=world.other_district,
                            other_street=world.other_street)
    more.victims[Region] = (more.street, more.street.name)
    more.victims[Provider] = world.victims[Provider]
    for model, builder in scope_walk.VICTIM_BUILDERS.items():
        if model is Provider:
            continue
        marker = scope_walk._marker()
        more.victims["community" if model is Region else model] = (builder(more, marker),
                                                                   marker)


def _shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:160]


def _extra(before: list[str], after: list[str]) -> list[str]:
    """The statements (numbers and strings blanked) run more often after."""
    grown = Counter(map(_shape, after)) - Counter(map(_shape, before))
    return [f"{n} x {sql}" for sql, n in grown.most_common(3)]


def _count(client, path: str) -> tuple[int, int, list[str], int | None]:
    """Status, number of queries, their SQL, and an API list's row count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response)
    statements = [q["sql"] for q in queries]
    # a policy value is looked up once per district on the page (by design:
    # a district's own version wins), bounded by the number of districts
    policy = [sql for sql in statements if 'FROM "policy_policyvalue"' in sql]
    districts = Region.objects.filter(kind="district").count()
    assert len(policy) <= districts + 1, f"{path}: a policy lookup per row"
    rows = None
    if path.startswith("/api/") and response.status_code == 200:
        body = response.json()
        rows = body.get("count") if isinstance(body, dict) else len(body)
    return response.status_code, len(statements) - len(policy), statements, rows


def test_every_page_without_arguments_is_classified():
    lists, unknown = html_list_pages()
    assert unknown == [], "name each in OTHER_LISTS (it lists rows) or NOT_LISTS"
    assert len(lists) > 30
    names = {name for name, _route, _callback in _patterns()}
    assert names >= (OTHER_LISTS | NOT_LISTS), "a classified page no longer exists"


def test_list_query_counts_do_not_grow_with_rows(client):
    # given the walk's rows, seen by a city user holding every permission (and,
    # for the pages only a provider has, by a user of the rows' provider)
    world = scope_walk.build_world()
    city = scope_walk.almighty(region=Region.objects.get(kind="city"))
    provider = scope_walk.almighty(provider=world.victims[Provider][0])
    html, _unknown = html_list_pages()
    paths = {name: reverse(name) for name in html + admin_changelists() + api_lists()}
    who: dict[str, object] = {}

    def measure() -> dict:
        counts = {}
        for user in (city, provider):
            client.force_login(user)
            for name, path in paths.items():
                if who.get(name, user) is not user:
                    continue
                client.get(path)  # warm the caches a first request fills
                counts[name] = _count(client, path)
                if name not in who and (counts[name][0] == 200 or user is provider):
                    who[name] = user
        return counts

    before = measure()
    # when three more rows of every kind are built
    for _ in range(MORE):
        more_rows(world)
    after = measure()

    # then every list page answered one of the users
    assert sorted(name for name, counts in before.items() if counts[0] != 200) == []
    # the rows are visible: the API lists grew
    grown = [name for name in before if before[name][3] is not None
             and after[name][3] is not None and after[name][3] > before[name][3]]
    assert len(grown) >= 20
    # and no page makes more queries than before
    grew = {paths[name]: (before[name][1], after[name][1]) for name in before
            if after[name][1] != before[name][1]}
    detail = [f"{paths[name]}: {_extra(before[name][2], after[name][2])}"
              for name in before if paths[name] in grew]
    assert grew == {}, "query counts (before, after) grew with the rows\n" + "\n".join(detail)

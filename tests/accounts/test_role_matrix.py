"""Role x action matrix: for every permission of the role table, the action it
guards lets a user of each role in (or refuses them) exactly as the table says.

The actions are derived from the code, not listed by hand: HTML views by
their ``permission_required``, API operations by their permission class
(``ModelPermissions``: the method's model permission; ``ActionPermissions``:
the viewset's ``action_permissions`` first), Django admin by its ModelAdmins
(changelist = view, add page = add, a POST to the change page = change, and
only for the roles that may sign in to admin). For each permission the first
action whose other requirements every holder of the permission meets is the
one tested; a permission with no such action fails ``test_every_permission_
guards_an_action`` (listed in ``GUARDS_NOTHING`` with the reason once it is
reported as a finding).

The user of each role has a jurisdiction containing the target row (the
row's street, its district, the city, or the provider that owns it). Denied
means 403, the login redirect, admin's login redirect, or (for a role without
the permission, whose scope may not reach the row) 404; allowed is anything
else, and never 404.
"""

from __future__ import annotations

import operator
import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from apps.accounts.roles import ADMIN_SITE_ROLES, ROLE_JURISDICTION, ROLE_PERMISSIONS, Role
from apps.core.permissions import ActionPermissions, ModelPermissions
from apps.elders.models import Elder
from apps.regions.models import Region
from tests.core import scope_walk
from tests.factories import ProviderFactory, RegionFactory, staff

pytestmark = pytest.mark.django_db

ALL_PERMISSIONS = sorted({p for perms in ROLE_PERMISSIONS.values() for p in perms})

_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
_KIND_ORDER = {"html": 0, "api": 1, "admin": 2, "admin-inline": 3}


@dataclass(frozen=True)
class Action:
    kind: str  # html | api | admin | admin-inline (an inline on the parent's admin page)
    method: str  # get | post | patch
    regex: str
    model: type | None
    required: frozenset
    data: tuple = ()  # form fields sent with a POST (which step of a multi-step view)
    levels: frozenset | None = None  # jurisdiction levels the view serves, if it says so
    inline: type | None = None  # admin-inline: the inline's model

    @property
    def groups(self) -> list[str]:
        return _GROUP.findall(self.regex)

    def expected(self, role: Role) -> bool:
        if self.kind.startswith("admin") and role not in ADMIN_SITE_ROLES:
            return False
        if self.levels is not None and ROLE_JURISDICTION[role] not in self.levels:
            return False
        return self.required <= set(ROLE_PERMISSIONS[role])

    def sort_key(self):
        return (self.method != "get", bool(self.groups), _KIND_ORDER[self.kind],
                len(self.required), self.regex)

    def __str__(self):
        return f"{self.kind} {self.method.upper()} /{self.regex} {dict(self.data)}"


def _perm(model, verb: str) -> str:
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


def _html_actions():
    for regex, callback in scope_walk.iter_patterns():
        if regex.startswith(("admin/", "api/")):
            continue
        view_class = getattr(callback, "view_class", None)
        required = getattr(view_class, "permission_required", None)
        if not required:
            continue
        required = frozenset([required] if isinstance(required, str) else required)
        method = "get" if hasattr(view_class, "get") else "post"
        yield Action("html", method, regex, scope_walk.model_of(callback), required)


def _api_actions():
    for regex, callback in scope_walk.iter_patterns():
        view_class = getattr(callback, "cls", None)
        if not regex.startswith("api/") or "format" in regex or view_class is None:
            continue
        classes = getattr(view_class, "permission_classes", [])
        model = scope_walk.model_of(callback)
        for method, action in (getattr(callback, "actions", None) or {}).items():
            if any(issubclass(c, ActionPermissions) for c in classes):
                needed = getattr(view_class, "action_permissions", {}).get(action)
                if needed:
                    yield Action("api", method, regex, model, frozenset([needed]))
                    continue
            if model is None or not any(issubclass(c, ModelPermissions) for c in classes):
                continue
            required = frozenset(p % {"app_label": model._meta.app_label,
                                      "model_name": model._meta.model_name}
                                 for p in ModelPermissions.perms_map[method.upper()])
            if required:
                yield Action("api", method, regex, model, required)


def _admin_refuses_everyone():
    """A request of a superuser: what a ModelAdmin refuses even to it, it
    refuses whatever the role table says (records only services write)."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def _admin_actions():
    request = _admin_refuses_everyone()
    for model, model_admin in admin_site._registry.items():
        opts = model._meta
        base = f"admin/{opts.app_label}/{opts.model_name}/"
        if model_admin.has_view_permission(request):
            yield Action("admin", "get", base, model, frozenset([_perm(model, "view")]))
        if model_admin.has_add_permission(request):
            yield Action("admin", "get", base + "add/", model,
                         frozenset([_perm(model, "add")]))
        if model_admin.has_change_permission(request):
            yield Action("admin", "post", base + "(?P<object_id>.+)/change/", model,
                         frozenset([_perm(model, "change")]))
        for inline in model_admin.inlines:
            child = inline.model
            if model_admin.has_add_permission(request):
                yield Action("admin-inline", "get", base + "add/", model,
                             frozenset([_perm(model, "add"), _perm(child, "add")]),
                             inline=child)
            if model_admin.has_change_permission(request):
                yield Action("admin-inline", "get", base + "(?P<object_id>.+)/change/", model,
                             frozenset([_perm(model, "change"), _perm(child, "change")]),
                             inline=child)


def _explicit_actions():
    """Views that check a permission inside (a step of a multi-step page, a
    POST behind a readable page), named here because nothing declares them."""
    from apps.findings.models import Finding
    from apps.settlement.models import SettlementRun
    from apps.visits.models import FollowUp

    def step(regex, model, view, permission, **data):
        return Action("html", "post", regex, model, frozenset([view, permission]),
                      data=tuple(data.items()))

    yield step(r"findings/\Z", None, "findings.view_finding", "findings.run_audit")
    yield step(r"findings/(?P<pk>[0-9]+)/\Z", Finding, "findings.view_finding",
               "findings.decide_finding", action="confirm")
    for name, permission in (("review", "settlement.review_settlementrun"),
                             ("approve", "settlement.approve_settlementrun"),
                             ("pay", "settlement.record_payment_settlementrun")):
        yield step(r"settlement/(?P<pk>[0-9]+)/\Z", SettlementRun,
                   "settlement.view_settlementrun", permission, action=name)
    yield step(r"visits/follow\-ups/(?P<pk>[0-9]+)/\Z", FollowUp, "visits.view_followup",
               "visits.change_followup")
    # keys are created by the provider's own staff (a district uses admin)
    yield Action("html", "post", r"visits/api\-keys/\Z", None,
                 frozenset(["visits.view_providerapitoken", "visits.add_providerapitoken"]),
                 levels=frozenset(["provider"]))


def all_actions() -> list[Action]:
    return sorted([*_html_actions(), *_api_actions(), *_admin_actions(),
                   *_explicit_actions()], key=Action.sort_key)


def _holders(permission: str) -> set[Role]:
    return {role for role in Role if permission in ROLE_PERMISSIONS[role]}


def guards_of(permission: str, actions=None) -> list[Action]:
    """The actions to test ``permission`` by: the first one whose other
    requirements every holder meets (allowed iff the permission), or else
    every action that needs the permission (a role is let in by any)."""
    actions = actions if actions is not None else all_actions()
    needing = [a for a in actions if permission in a.required]
    holders = _holders(permission)
    for action in needing:
        if all(action.expected(role) == (role in holders) for role in Role):
            return [action]
    return needing


def no_effect(permission: str, actions=None) -> set[str]:
    """Holders of ``permission`` that no action it guards lets in."""
    guards = guards_of(permission, actions)
    return {role.value for role in _holders(permission)
            if not any(a.expected(role) for a in guards)}


# Findings: permissions in the table that no view, API operation or admin
# page checks at all.
GUARDS_NOTHING: dict[str, str] = {
    # applications are received at the window (receive_application); admin adds none
    "applications.add_application": "street_staff, district_staff",
    # a case is reassigned by a new assignment (add); nothing changes one
    "caremanagers.change_caseassignment": "street_staff, district_staff",
    # a plan is superseded and an agreement ended, never edited; admin shows them only
    "careplans.change_serviceplan": "street_staff, care_manager, district_staff",
    "careplans.change_serviceplanitem": "street_staff, care_manager, district_staff",
    "careplans.change_serviceagreement": "street_staff, care_manager, district_staff",
    "careplans.change_agreementitem": "street_staff, care_manager, district_staff",
}

# Findings: permissions the table grants to a role for which they guard
# nothing (the record is shown inside its parent's page, or the only action
# is Django admin, which the role cannot sign in to). Harmless, since they
# let nobody in, but the table says more than the system does.
NO_EFFECT: dict[str, set[str]] = {
    # shown inside the application, the instrument, the plan, the agreement,
    # the contract, the facility, the elder, the run or the calendar page
    "applications.view_transition": {"care_manager", "street_staff"},
    "assessments.view_instrument": {"assessor", "care_manager", "finance_officer",
                                    "street_staff"},
    "assessments.view_item": {"assessor", "care_manager", "finance_officer", "street_staff"},
    "careplans.view_agreementitem": {"care_manager", "finance_officer", "provider_staff",
                                     "street_staff"},
    "careplans.view_serviceplanitem": {"care_manager", "finance_officer", "street_staff"},
    "contracts.view_contractitem": {"finance_officer", "provider_staff", "street_staff"},
    "contracts.view_contractrenewal": {"finance_officer", "provider_staff", "street_staff"},
    "elders.view_contact": {"care_manager", "street_staff"},
    "facilities.view_facilitychange": {"finance_officer", "provider_staff", "street_staff"},
    "facilities.view_facilityfunding": {"finance_officer", "provider_staff", "street_staff"},
    "settlement.view_assessmentfeeline": {"finance_officer"},
    "settlement.view_fundingreconciliation": {"finance_officer"},
    "settlement.view_providersettlement": {"finance_officer"},
    "settlement.view_settlementline": {"finance_officer"},
    "settlement.view_withholding": {"finance_officer"},
    "workdays.view_calendaryear": {"assessor", "care_manager", "finance_officer",
                                   "street_staff"},
    # no screen edits a contact (one is added); only admin changes one
    "elders.change_contact": {"care_manager", "street_staff"},
    # keys are issued by a provider's own staff; admin issues none
    "visits.add_providerapitoken": {"district_staff"},
}


# --- the world and the users ------------------------------------------------

def _world():
    district = RegionFactory.district()
    other = RegionFactory.district()
    return scope_walk.World(
        district=district, street=RegionFactory.street(district),
        sibling=RegionFactory.street(district), other_district=other,
        other_street=RegionFactory.street(other))


def _target(world, model):
    if model is None:
        model = Elder
    builder = scope_walk.VICTIM_BUILDERS.get(model)
    if builder is not None:
        return builder(world, f"M{uuid.uuid4().hex[:8]}")
    return model._default_manager.order_by("pk").first()


def _provider_of(obj):
    path = getattr(type(obj), "scope_provider", None)
    if isinstance(path, tuple):
        path = path[0]
    if not path:
        return None
    if path == "pk":
        return obj
    try:
        return operator.attrgetter(path.replace("__", "."))(obj)
    except AttributeError:
        return None


def _user(role: Role, world, target):
    level = ROLE_JURISDICTION[role]
    if level == "provider":
        provider = (target is not None and _provider_of(target)) or ProviderFactory(
            region=world.district)
        return staff(role, provider=provider)
    region = {"street": world.street, "district": world.district,
              "city": Region.objects.get(kind="city")}[level]
    return staff(role, region=region)


def _path(action: Action, world, target) -> str:
    def fill(match):
        name = match.group(1)
        if name in ("pk", "object_id", "id"):
            return str(target.pk)
        if name == "elder_pk":
            return str(target.pk if isinstance(target, Elder) else _target(world, Elder).pk)
        return {"month": "2025-09", "year": "2025", "step": "1",
                "code": world.district.code, "date": "2025-10-01"}.get(name, "1")

    path = _GROUP.sub(fill, action.regex)
    for token, plain in ((r"\Z", ""), ("$", ""), ("^", ""), (r"\.", "."), (r"\-", "-"),
                         ("/?", "/")):
        path = path.replace(token, plain)
    return "/" + path


def _outcome(action: Action, response) -> str:
    status = response.status_code
    if status == 403:
        return "denied"
    if status in (301, 302):
        location = response["Location"]
        if location.startswith((reverse("accounts:login"), reverse("admin:login"))):
            return "denied"
    if status == 404:
        return "not found"
    if status >= 500:
        return f"server error {status}"
    if action.kind == "admin-inline":
        # the parent page opens; the inline shows, and may be added to or changed
        verb = "add" if action.regex.endswith("add/") else "change"
        for formset in response.context["inline_admin_formsets"]:
            if formset.formset.model is action.inline:
                return "allowed" if getattr(formset, f"has_{verb}_permission") else "denied"
        return "denied"
    return "allowed"


def _request(client, action: Action, path: str):
    if action.method == "get":
        return client.get(path)
    if action.kind == "api":
        return getattr(client, action.method)(path, data={}, content_type="application/json")
    return client.post(path, data=dict(action.data))


def _target_of(action: Action, world, instrument):
    if not action.groups:
        return None
    if action.kind == "admin-inline":
        return instrument
    return _target(world, action.model)


# --- the tests ---------------------------------------------------------------

def test_every_permission_guards_an_action():
    actions = all_actions()
    assert {p for p in ALL_PERMISSIONS if not guards_of(p, actions)} == set(GUARDS_NOTHING)


def test_every_holder_without_effect_is_a_listed_finding():
    # a role granted a permission that lets it into nothing must be listed
    actions = all_actions()
    found = {p: roles for p in ALL_PERMISSIONS
             if p not in GUARDS_NOTHING and (roles := no_effect(p, actions))}
    assert found == NO_EFFECT


def test_a_permission_without_an_action_is_caught():
    # a permission the table might grant that no view, viewset or admin checks
    assert guards_of("elders.reveal_identity_number") != []
    assert guards_of("elders.no_such_permission") == []


@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
def test_role_matrix(client, permission):
    from apps.assessments.models import Instrument

    guards = guards_of(permission)
    if permission in GUARDS_NOTHING:
        assert guards == [], f"{permission} now guards {guards}: take it off GUARDS_NOTHING"
        return
    assert guards, f"{permission} guards nothing"
    world = _world()
    targets = {action: _target_of(action, world, Instrument.objects.order_by("pk").first())
               for action in guards}
    wrong = []
    for role in Role:
        expected = role.value not in NO_EFFECT.get(permission, set()) and (
            role in _holders(permission))
        outcomes = []
        for action, target in targets.items():
            client.force_login(_user(role, world, target))
            response = _request(client, action, _path(action, world, target))
            outcomes.append((_outcome(action, response), response.status_code, str(action)))
            client.logout()
        allowed = any(outcome == "allowed" for outcome, _s, _a in outcomes)
        if expected and not allowed:
            wrong.append(f"{role.value} holds {permission} but is refused: {outcomes}")
        if not expected and allowed:
            wrong.append(f"{role.value} lacks {permission} (or it has no effect) "
                         f"but is let in: {outcomes}")
    assert wrong == []

"""No personal data in URLs: the web server logs every request line, query
string included, and browsers keep URLs in their history and send them on as
the Referer. Patterns carry opaque keys only; every search where staff type
a name or a number posts it (``apps.core.private_search``)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.demo import synthetic_identity
from tests.core import scope_walk
from tests.factories import ElderFactory, staff

pytestmark = pytest.mark.django_db

# what a URL pattern may carry: database keys, dates, a region's official
# code (the public evaluation page), Django admin's own parts
OPAQUE_GROUPS = {"pk", "id", "object_id", "elder_pk", "content_type_id", "app_label", "url",
                 "date", "month", "year", "step", "code", "format"}
# inputs that hold a person's name, number, phone or address
PERSONAL_INPUTS = {"id_number", "phone", "agent_phone", "address", "name", "elder_name",
                   "agent_name"}
# pages whose search box ("q") takes an elder's name or masked number
ELDER_SEARCHES = {"elders:elder_list", "careplans:plan_list", "contracts:agreement_list",
                  "complaints:complaint_create"}

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"""\bname=["']([\w-]+)["']""")


def test_url_patterns_carry_only_opaque_keys():
    groups = {g for regex, _cb in scope_walk.iter_patterns()
              for g in scope_walk._GROUP.findall(regex)}
    assert groups - OPAQUE_GROUPS == set()


def _pages_without_arguments():
    for regex, _callback in scope_walk.iter_patterns():
        if scope_walk._GROUP.search(regex) or regex.startswith(("admin/", "api/")):
            continue
        path = "/" + (regex.replace(r"\Z", "").replace(r"\-", "-").replace(r"\.", "."))
        yield path


def _get_forms_naming_a_person(html: str, url_name: str) -> list[str]:
    found = []
    for attributes, body in _FORM.findall(html):
        method = re.search(r"""method=["'](\w+)""", attributes)
        if method and method.group(1).lower() == "post":
            continue
        names = set(_NAME.findall(body))
        personal = names & PERSONAL_INPUTS
        if url_name in ELDER_SEARCHES and "q" in names:
            personal.add("q")
        found += sorted(personal)
    # an input that sends itself by hx-get (a live check as it is typed)
    for tag in re.findall(r"<input\b[^>]*\bhx-get=[^>]*>", html):
        found += [n for n in _NAME.findall(tag) if n in PERSONAL_INPUTS]
    return found


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.PROVIDER_STAFF])
def test_no_form_puts_a_name_or_number_in_a_query_string(client, role):
    from django.urls import resolve

    world = scope_walk.build_world()
    user = (scope_walk.almighty(provider=world.victims[scope_walk.Provider][0])
            if role == Role.PROVIDER_STAFF else
            scope_walk.almighty(region=world.street if role == Role.STREET_STAFF
                                else world.district))
    client.force_login(user)
    offending, seen = {}, 0
    for path in _pages_without_arguments():
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        match = resolve(path)
        url_name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        found = _get_forms_naming_a_person(response.content.decode(), url_name)
        if found:
            offending[url_name] = found
    assert seen > 40
    assert offending == {}


def test_the_elder_search_is_posted_and_the_name_stays_out_of_the_url(client, tree):
    ElderFactory(name="欧阳秀英", residence_street=tree["street"],
                 hukou_street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    url = reverse("elders:elder_list")
    # when the clerk searches by name
    response = client.post(url, {"q": "欧阳", "private_search": "1"})
    # then the answer is a redirect to the list with no name in it
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(response["Location"]).content.decode()
    assert "欧阳秀英" in page
    assert "q=" not in page  # the pager's links do not carry it either
    # and a name typed into the URL by hand is not searched for
    client.post(url, {"q": "", "private_search": "1"})
    assert [e.name for e in client.get(url, {"q": "nobody"}).context["object_list"]] == [
        "欧阳秀英"]


def test_a_page_number_from_before_a_search_shows_the_last_page(client, tree):
    # found by the load test: page 2 of the list was open in one tab, a name
    # search in another narrowed the list to one page, and page 2 was a 404
    ElderFactory.create_batch(51, residence_street=tree["street"])
    ElderFactory(name="欧阳秀英", residence_street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    url = reverse("elders:elder_list")
    assert client.get(url, {"page": 2}).status_code == 200
    client.post(url, {"q": "欧阳", "private_search": "1"})
    response = client.get(url, {"page": 2})
    assert response.status_code == 200
    assert [e.name for e in response.context["object_list"]] == ["欧阳秀英"]
    assert client.get(url, {"page": "x"}).status_code == 200  # the last page, too


def test_other_filters_stay_in_the_query_string(client, tree):
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    response = client.post(reverse("visits:visit_list"),
                           {"elder_name": "欧阳", "month": "2025-10", "private_search": "1"})
    assert response["Location"] == reverse("visits:visit_list") + "?month=2025-10"


def test_the_live_number_check_is_posted_never_a_query_string(client, window):
    client.force_login(window["clerk"])
    number = synthetic_identity("440106", date(1940, 2, 3), 11)
    url = reverse("elders:check_number")
    assert client.get(url, {"id_number": number}).status_code == 405
    assert client.post(url, {"id_number": number}).status_code == 200
    html = client.get(reverse("elders:elder_register")).content.decode()
    assert f'hx-post="{url}"' in html


def test_no_api_operation_takes_a_name_or_number_in_its_query_string(client, street_user):
    # the API's searches by name or document number are posted (/api/elders/search/)
    client.force_login(street_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    personal = PERSONAL_INPUTS | {"q", "elder_id_number"}
    offending = {(path, method, parameter["name"])
                 for path, operations in schema["paths"].items()
                 for method, operation in operations.items() if isinstance(operation, dict)
                 for parameter in operation.get("parameters", [])
                 if parameter.get("in") == "query" and parameter["name"] in personal}
    assert offending == set()
    assert "post" in schema["paths"]["/api/elders/search/"]

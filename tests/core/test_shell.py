"""The staff web shell: Chinese first, lockout, expiring sessions, headers,
and a menu that shows each role its own work."""

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from tests.factories import ProviderFactory, staff

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "登录" in html


def test_english_is_one_click_away(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"},
                           follow=True)
    assert "Sign in" in response.content.decode()


def test_signed_out_users_are_sent_to_login(client):
    response = client.get(reverse("elders:elder_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_locks_after_repeated_failures(client, tree):
    user = staff(Role.STREET_STAFF, region=tree["street"], username="wang")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "wang", "password": "wrong"})
    locked = client.post(reverse("accounts:login"),
                         {"username": "wang", "password": "Pass-word-123"})
    # then even the right password is refused while locked
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in locked.content.decode().lower() or "锁定" in locked.content.decode()
    # and another user on the same address is not locked out
    staff(Role.STREET_STAFF, region=tree["street"], username="zhao")
    other = client.post(reverse("accounts:login"),
                        {"username": "zhao", "password": "Pass-word-123"})
    assert other.status_code == 302
    assert user.check_password("Pass-word-123")


def test_correct_password_signs_in(client, tree):
    staff(Role.STREET_STAFF, region=tree["street"], username="li")
    response = client.post(reverse("accounts:login"),
                           {"username": "li", "password": "Pass-word-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_session_cookie_ends_with_the_browser(client, tree):
    staff(Role.STREET_STAFF, region=tree["street"], username="li2")
    response = client.post(reverse("accounts:login"),
                           {"username": "li2", "password": "Pass-word-123"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True


def test_an_idle_session_expires(client, street_user):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(street_user)
    assert client.get(reverse("core:home")).status_code == 200
    # when the session has been idle longer than the idle limit
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    # then the next request goes to the login page
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_each_request_renews_the_idle_limit(client, street_user):
    from django.contrib.sessions.models import Session

    client.force_login(street_user)
    client.get(reverse("core:home"))
    first = Session.objects.get().expire_date
    client.get(reverse("core:home"))
    assert Session.objects.get().expire_date > first


def test_logout_is_a_post(client, street_user):
    client.force_login(street_user)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_signed_in_pages_are_not_cached_and_carry_a_csp(client, street_user):
    client.force_login(street_user)
    response = client.get(reverse("core:home"))
    assert response["Cache-Control"] == "no-store, private"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_outside(client, street_user):
    client.force_login(street_user)
    html = client.get(reverse("core:home")).content.decode()
    assert "http://" not in html.replace("http://127.0.0.1", "")
    assert "https://" not in html
    assert "/static/django_htmx/htmx" in html


REFERENCE = {"regions:region_list", "policy:value_list", "workdays:calendar",
             "catalogue:item_list"}
FACILITIES = {"facilities:facility_list", "facilities:overview"}
CARE_MANAGERS = {"caremanagers:manager_list", "caremanagers:street_list"}
PLANS = {"careplans:plan_list", "careplans:agreement_list"}
OVERSIGHT = {"visits:followup_list", "complaints:complaint_list", "findings:finding_list"}
VISITS = {"visits:visit_list"}
CAREGIVER = {"visits:mobile_today", "visits:rejected_list"}
SETTLEMENT = {"settlement:run_list", "settlement:reconciliation"}
MENU_FOR = {
    Role.STREET_STAFF: {"elders:elder_list", "elders:elder_register", "elders:elder_import",
                        "applications:queue", "applications:deadlines",
                        *FACILITIES, *CARE_MANAGERS,
                        "contracts:contract_list", "contracts:agreement_list", *PLANS,
                        *OVERSIGHT, *VISITS, *REFERENCE},
    Role.PROVIDER_STAFF: {"policy:value_list", "catalogue:item_list",
                          "providers:provider_list", "providers:mine", *FACILITIES,
                          "contracts:contract_list", "evaluations:evaluation_list",
                          "careplans:agreement_list", *VISITS, *CAREGIVER,
                          "visits:upload", "visits:tokens"},
    Role.DISTRICT_STAFF: {"elders:elder_list", "elders:elder_import", "audit:access_list",
                          "applications:verification_queue", "applications:deadlines",
                          "assessments:office_list", "assessments:fee_statement_list",
                          "providers:provider_list", *FACILITIES, *CARE_MANAGERS,
                          "contracts:contract_list", "contracts:agreement_list",
                          "evaluations:evaluation_list", *PLANS, *OVERSIGHT,
                          *VISITS, "visits:tokens", *REFERENCE, *SETTLEMENT},
    Role.FINANCE_OFFICER: {"assessments:fee_statement_list", *FACILITIES,
                           "contracts:contract_list", *PLANS,
                           "findings:finding_list", *VISITS, *REFERENCE,
                           *SETTLEMENT},
}


@pytest.mark.parametrize(("role", "expected"), MENU_FOR.items())
def test_menu_shows_each_role_its_own_work(client, tree, role, expected):
    from apps.core.navigation import MENU

    kwargs = ({"provider": ProviderFactory(region=tree["district"])}
              if role == Role.PROVIDER_STAFF else
              {"region": tree["district"] if role == Role.DISTRICT_STAFF else tree["street"]})
    user = staff(role, **kwargs)
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    shown = {e.url_name for e in MENU if f'href="{reverse(e.url_name)}"' in html}
    assert shown == expected


def test_street_home_names_the_street(client, tree, street_user):
    client.force_login(street_user)
    html = client.get(reverse("core:home")).content.decode()
    assert tree["street"].name in html
    assert AccessLog.objects.count() == 0

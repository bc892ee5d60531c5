"""Django admin's search of records about people is posted, not put in the
URL (``apps.core.admin.PrivateSearchAdminMixin``): the term never reaches a
query string, the page's own links do not carry it, and a term typed into the
URL by hand is ignored."""

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import ElderFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tree):
    client.force_login(staff(Role.DISTRICT_STAFF, region=tree["district"]))
    return client


@pytest.fixture
def elders(tree):
    return (ElderFactory(name="王秀英", residence_street=tree["street"]),
            ElderFactory(name="李建国", residence_street=tree["street"]))


def test_the_search_form_posts_the_term(admin_client, elders):
    page = admin_client.get(reverse("admin:elders_elder_changelist")).content.decode()
    form = page[page.index('id="changelist-search"') - 40:]
    assert 'method="post"' in form[:200]
    assert 'name="private_search"' in form[:1000]


def test_a_posted_search_finds_the_elder_without_the_name_in_any_url(admin_client, elders):
    url = reverse("admin:elders_elder_changelist")
    posted = admin_client.post(f"{url}?o=1", {"private_search": "1", "q": "王秀英", "o": "1"})
    assert posted.status_code == 302
    assert "王秀英" not in posted["Location"]
    assert "%E7%8E%8B" not in posted["Location"]  # nor percent-encoded
    page = admin_client.get(posted["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert f"/{elders[0].pk}/change/" in body
    assert f"/{elders[1].pk}/change/" not in body
    assert 'value="王秀英"' in body  # kept in the box
    # no link carries it, not even in the filters admin preserves for the
    # row links and the redirect after saving (_changelist_filters=q%3D…)
    assert "q=" not in body.replace('name="q"', "")
    assert "q%3D" not in body
    assert "%E7%8E%8B" not in body


def test_saving_a_found_elder_redirects_without_the_name(admin_client, elders):
    url = reverse("admin:elders_elder_changelist")
    admin_client.post(url, {"private_search": "1", "q": "王秀英"})
    listing = admin_client.get(url).content.decode()
    change = reverse("admin:elders_elder_change", args=[elders[0].pk])
    assert f'href="{change}"' in listing  # the row link: no preserved filters


def test_a_term_typed_into_the_url_is_ignored(admin_client, elders):
    url = reverse("admin:elders_elder_changelist")
    body = admin_client.get(f"{url}?q=王秀英").content.decode()
    assert f"/{elders[0].pk}/change/" in body
    assert f"/{elders[1].pk}/change/" in body


def test_clearing_the_search_shows_everyone_again(admin_client, elders):
    url = reverse("admin:elders_elder_changelist")
    admin_client.post(url, {"private_search": "1", "q": "王秀英"})
    admin_client.post(url, {"private_search": "1", "q": ""})
    body = admin_client.get(url).content.decode()
    assert f"/{elders[1].pk}/change/" in body


def test_show_all_clears_the_kept_search(admin_client, elders):
    url = reverse("admin:elders_elder_changelist")
    admin_client.post(url, {"private_search": "1", "q": "王秀英"})
    body = admin_client.get(url).content.decode()
    assert "?clear_search=1" in body
    cleared = admin_client.get(f"{url}?clear_search=1")
    assert cleared.status_code == 302
    assert "clear_search" not in cleared["Location"]
    assert f"/{elders[1].pk}/change/" in admin_client.get(cleared["Location"]).content.decode()


def test_reference_data_admins_keep_their_plain_search(admin_client):
    admin_client.logout()
    admin_client.force_login(staff(Role.ADMINISTRATOR))
    page = admin_client.get(reverse("admin:policy_policyvalue_changelist")).content.decode()
    form = page[page.index('id="changelist-search"') - 40:]
    assert 'method="get"' in form[:200]

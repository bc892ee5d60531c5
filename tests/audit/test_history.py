"""The audit trail: every change kept with who and where, bulk updates too,
personal numbers never in clear, and reads of personal records logged."""

import pghistory
import pytest
from django.db import InternalError, connection, transaction
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessAction, AccessLog
from apps.catalogue.models import ServiceItem
from apps.elders.models import Elder
from tests.factories import ElderFactory, staff

pytestmark = pytest.mark.django_db


def test_bulk_update_is_recorded_with_its_context():
    # given service items, when a task-like context bulk-updates them
    with pghistory.context(task="test-bulk"):
        changed = ServiceItem.objects.filter(category="meals").update(is_active=False)
    # then every row's change is in the history, with the context
    Event = ServiceItem.pgh_event_model
    events = Event.objects.filter(pgh_label="update")
    assert changed > 0
    assert events.count() == changed
    assert {e.pgh_context.metadata["task"] for e in events} == {"test-bulk"}


def test_request_changes_carry_user_url_and_address(client, tree):
    user = staff(Role.ADMINISTRATOR, region=tree["district"].parent, is_superuser=True)
    client.force_login(user)
    item = ServiceItem.objects.get(code="LC-BATH")
    url = reverse("admin:catalogue_serviceitem_change", args=[item.pk])
    response = client.post(url, {
        "code": item.code, "name": "助浴（新）", "category": item.category, "unit": item.unit,
        "min_duration_minutes": "", "is_active": "on",
        "guide_prices-TOTAL_FORMS": "0", "guide_prices-INITIAL_FORMS": "0",
    }, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    event = ServiceItem.pgh_event_model.objects.filter(pgh_obj=item, pgh_label="update").get()
    assert event.name == "助浴（新）"
    assert event.pgh_context.metadata == {"user": user.pk, "url": url, "method": "POST",
                                          "ip": "10.1.2.3"}


def test_identity_and_phone_numbers_never_enter_the_history(tree):
    elder = ElderFactory(residence_street=tree["street"], phone="13800138000")
    Elder.objects.filter(pk=elder.pk).update(name="Renamed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(e)::text FROM elders_elderevent e")
        dumped = " ".join(row[0] for row in cursor.fetchall())
    assert dumped.count("Renamed") == 1
    assert elder.id_number not in dumped
    assert elder.id_number[6:14] + elder.id_number[14:17] not in dumped
    assert "13800138000" not in dumped
    assert elder.id_number_masked in dumped


def test_history_is_append_only(tree):
    ElderFactory(residence_street=tree["street"])
    Event = Elder.pgh_event_model
    with pytest.raises(InternalError), transaction.atomic():
        Event.objects.update(name="tampered")
    with pytest.raises(InternalError), transaction.atomic():
        Event.objects.all().delete()


def test_viewing_an_elder_is_logged(client, tree):
    elder = ElderFactory(residence_street=tree["street"])
    user = staff(Role.STREET_STAFF, region=tree["street"])
    client.force_login(user)
    response = client.get(reverse("elders:elder_detail", args=[elder.pk]),
                          REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    assert elder.id_number not in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id, entry.region, entry.ip) == (
        user, AccessAction.VIEW, str(elder.pk), tree["street"], "10.0.0.7")
    assert elder.id_number not in entry.object_label


def test_reveal_shows_the_number_once_and_is_logged(client, tree):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    # when the clerk asks to reveal the number
    response = client.post(reverse("elders:elder_reveal", args=[elder.pk]))
    # then this response shows it, uncached, and the reveal is logged
    assert response.status_code == 200
    assert elder.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    assert list(AccessLog.objects.values_list("action", flat=True)) == [AccessAction.REVEAL]
    # and it is kept nowhere: not in the session, not on the next view
    assert elder.id_number not in str(dict(client.session))
    again = client.get(reverse("elders:elder_detail", args=[elder.pk]))
    assert elder.id_number not in again.content.decode()


def test_listing_elders_logs_each_elder_shown(client, tree):
    shown = [ElderFactory(residence_street=tree["street"]) for _ in range(3)]
    ElderFactory(residence_street=tree["sibling"])  # not in this user's street
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    client.get(reverse("elders:elder_list"))
    client.get("/api/elders/")
    logged = list(AccessLog.objects.filter(action=AccessAction.LIST)
                  .values_list("object_id", flat=True))
    assert sorted(logged) == sorted([str(e.pk) for e in shown] * 2)


def test_role_changes_are_in_the_history(tree):
    from apps.accounts.models import UserGroupEvent
    from apps.accounts.services import assign_role

    user = staff(Role.STREET_STAFF, region=tree["street"])
    with pghistory.context(url="/admin/accounts/user/1/change/"):
        assign_role(user=user, role=None)
    removed = UserGroupEvent.objects.filter(pgh_label="group.remove", user_id=user.pk).get()
    assert removed.group.name == Role.STREET_STAFF
    assert removed.pgh_context.metadata["url"] == "/admin/accounts/user/1/change/"


def test_reveal_needs_its_permission(client, tree):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(staff(Role.CARE_MANAGER, region=tree["street"]))
    response = client.post(reverse("elders:elder_reveal", args=[elder.pk]))
    assert response.status_code == 403
    assert AccessLog.objects.count() == 0


def test_api_detail_read_is_logged(client, tree):
    elder = ElderFactory(residence_street=tree["street"])
    client.force_login(staff(Role.STREET_STAFF, region=tree["street"]))
    response = client.get(f"/api/elders/{elder.pk}/")
    assert response.json()["id_number_masked"] == elder.id_number_masked
    assert elder.id_number not in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(elder.pk)).count() == 1


def test_access_log_is_append_only(tree):
    AccessLog.objects.create(action="view", object_type="x", object_id="1", object_label="x")
    with pytest.raises(InternalError), transaction.atomic():
        AccessLog.objects.update(object_label="y")

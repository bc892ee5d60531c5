"""The daily deadline task mails each responsible office once a day."""

from datetime import date

import pytest
from django.core import mail

from apps.accounts.roles import Role
from apps.applications.models import Application
from apps.applications.tasks import flag_deadlines_task
from tests.factories import ApplicationFactory, ElderFactory, staff

pytestmark = pytest.mark.django_db


def test_overdue_and_due_soon_go_to_their_office_once(window, tree):
    window["clerk"].email = "clerk@street.example"
    window["clerk"].save()
    staff(Role.STREET_STAFF, region=tree["sibling"], email="sibling@street.example")
    late = ApplicationFactory(elder=window["elder"], due_date=date(2020, 1, 6))
    ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                          hukou_street=tree["street"]),
                       due_date=date(2099, 1, 5))
    ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                          hukou_street=tree["street"]),
                       due_date=date(2020, 1, 6), status="approved")
    # when the task runs
    result = flag_deadlines_task.apply().get()
    # then only the clerk's street is told, of the late open step, in Chinese
    assert result == {"applications": 1, "offices": 1, "mails": 1}
    assert [m.to for m in mail.outbox] == [["clerk@street.example"]]
    assert late.reference in mail.outbox[0].body
    assert "超期" in mail.outbox[0].subject
    assert window["elder"].id_number not in mail.outbox[0].body
    assert Application.objects.get(pk=late.pk).flagged_on is not None
    # and a second run the same day sends nothing again
    assert flag_deadlines_task.apply().get()["mails"] == 0
    assert len(mail.outbox) == 1

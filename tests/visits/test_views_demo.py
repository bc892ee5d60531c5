"""The demo world has visits: the demo caregiver with a login linked to the
roster, and last month's and this month's visits of the demo agreements,
accepted through the intake; building it twice adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.subsidies.rules import previous_month_start
from apps.visits.models import ServiceVisit, VisitSubmission

pytestmark = pytest.mark.django_db


def test_the_demo_caregiver_and_the_demo_visits(client, capsys):
    call_command("build_demo", elders=300)
    assert "caregiver" in capsys.readouterr().out
    caregiver = User.objects.get(username="caregiver")
    assert caregiver.staff_member.provider == caregiver.provider
    visits = ServiceVisit.objects.filter(provider=caregiver.provider)
    submissions = VisitSubmission.objects.filter(provider=caregiver.provider)
    assert visits.filter(service_date__gte=previous_month_start(timezone.localdate())).exists()
    assert not submissions.filter(outcome="rejected").exists()
    counts = (visits.count(), submissions.count())
    # idempotent: the same rows come out unchanged
    call_command("build_demo", elders=300)
    assert (visits.count(), submissions.count()) == counts
    # the caregiver's day and the provider's list open
    client.force_login(caregiver)
    assert client.get(reverse("visits:mobile_today")).status_code == 200
    assert client.get(reverse("visits:visit_list")).status_code == 200

"""What the annual evaluation sees of a provider's year: complaints received,
upheld and still open; follow-up satisfaction and services not received."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.complaints import services
from apps.complaints.queries import complaints_summary
from apps.visits.models import FollowUp, FollowUpStatus
from tests.complaints.factories import make_complaint
from tests.evaluations.factories import opened
from tests.visits.factories import add_elder, local, make_visit, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of(tree, street_user):
    """A provider's 2025 in the first district: three complaints (one upheld,
    one not, one open), one from 2024 and one in another district; two calls
    made (satisfaction 4, and 1 with the service not received) and one
    pending."""
    w = world(district=tree["district"], street=tree["street"])
    provider = w.provider
    upheld = make_complaint(tree["street"], provider=provider, received_on=date(2025, 3, 2))
    services.resolve(complaint=upheld, resolution="Refunded", upheld=True,
                     closed_on=date(2025, 3, 20), by=street_user)
    unfounded = make_complaint(tree["sibling"], provider=provider, received_on=date(2025, 6, 2))
    services.resolve(complaint=unfounded, resolution="Log confirms", upheld=False,
                     closed_on=date(2025, 6, 20), by=street_user)
    make_complaint(tree["street"], provider=provider, received_on=date(2025, 11, 2))
    make_complaint(tree["street"], provider=provider, received_on=date(2024, 12, 30))
    make_complaint(tree["other_street"], provider=provider, received_on=date(2025, 5, 5))
    for day, status, outcome, satisfaction in [
            (3, FollowUpStatus.DONE, "confirmed", 4),
            (4, FollowUpStatus.DONE, "not_received", 1),
            (5, FollowUpStatus.PENDING, "", None)]:
        visit = make_visit(w, check_in_at=local(date(2025, 9, day)))
        FollowUp.objects.create(visit=visit, month=date(2025, 9, 1), street=tree["street"],
                                status=status, outcome=outcome, satisfaction=satisfaction)
    # a call about another provider's visit does not count
    other = world(district=tree["district"], street=tree["street"])
    visit = make_visit(other, elder=add_elder(other)["elder"],
                       check_in_at=local(date(2025, 9, 6)))
    FollowUp.objects.create(visit=visit, month=date(2025, 9, 1), street=tree["street"],
                            status=FollowUpStatus.DONE, outcome="not_received", satisfaction=1)
    return provider


def test_the_summary_counts_the_year_in_the_district(tree, year_of):
    summary = complaints_summary(year_of, 2025, district=tree["district"])
    assert (summary.complaints, summary.upheld, summary.still_open) == (3, 1, 1)
    assert summary.follow_ups_done == 2
    assert summary.satisfaction_average == Decimal("2.50")
    assert summary.not_received == 1


def test_the_summary_without_a_district_counts_everywhere(year_of):
    summary = complaints_summary(year_of, 2025)
    assert summary.complaints == 4
    assert complaints_summary(year_of, 2024).complaints == 1
    assert complaints_summary(year_of, 2023).satisfaction_average is None


def test_the_evaluation_page_shows_the_counts_and_links_the_complaints(
        client, tree, district_user, year_of):
    evaluation = opened(provider=year_of, year=2025)
    assert evaluation.district == tree["district"]
    client.force_login(district_user)
    html = client.get(reverse("evaluations:evaluation_detail",
                              args=[evaluation.pk])).content.decode()
    assert 'data-testid="complaints-total">3<' in html
    assert 'data-testid="complaints-upheld">1<' in html
    assert 'data-testid="complaints-open">1<' in html
    assert 'data-testid="followup-satisfaction">2.50<' in html
    assert 'data-testid="followup-not-received">1<' in html
    link = f'{reverse("complaints:complaint_list")}?provider={year_of.pk}&amp;year=2025'
    assert link in html
    listing = client.get(reverse("complaints:complaint_list"),
                         {"provider": year_of.pk, "year": 2025})
    assert len(listing.context["object_list"]) == 3


def test_the_provider_sees_its_counts_but_no_link(client, year_of):
    from apps.accounts.roles import Role
    from tests.factories import staff

    evaluation = opened(provider=year_of, year=2025)
    client.force_login(staff(Role.PROVIDER_STAFF, provider=year_of))
    html = client.get(reverse("evaluations:evaluation_detail",
                              args=[evaluation.pk])).content.decode()
    assert 'data-testid="complaints-total">3<' in html
    assert 'id="provider-complaints"' not in html

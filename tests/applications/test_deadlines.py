"""Every step's due date across National Day and the Spring Festival, from
the official calendar; provisional dates recomputed once a year is entered;
the dashboard counts per office, scoped."""

from datetime import date

import pytest
from django.urls import reverse

from apps.applications import services
from apps.applications.models import Application
from apps.workdays.models import CalendarYear
from tests.factories import ApplicationFactory, ElderFactory

pytestmark = pytest.mark.django_db


def _walk(window, received, checked, refused_on, objected):
    application = services.receive_application(elder=window["elder"], kind="subsidy",
                                               by=window["clerk"], received_on=received)
    initial = application.due_date
    services.take_action(application=application, action="pass_initial_check",
                         by=window["clerk"], on=checked)
    application.refresh_from_db()
    verification = application.due_date
    services.decide_application(application=application, approve=False, by=window["officer"],
                                reason="不符合条件", on=refused_on)
    objection = services.receive_application(elder=window["elder"], kind="objection",
                                             by=window["clerk"], objection_to=application,
                                             received_on=objected)
    return initial, verification, objection.due_date


def test_steps_across_national_day_2025(window):
    # 1–8 Oct 2025 off; Sun 28 Sep and Sat 11 Oct worked.
    initial, verification, re_review = _walk(
        window, received=date(2025, 9, 26), checked=date(2025, 9, 30),
        refused_on=date(2025, 10, 9), objected=date(2025, 10, 9))
    # Fri 26 Sep + 5: Sun 28, Mon 29, Tue 30 Sep, Thu 9, Fri 10 Oct
    assert initial == date(2025, 10, 10)
    # Tue 30 Sep + 10: 9, 10, 11 (Sat, worked), 13, 14, 15, 16, 17, 20, 21 Oct
    assert verification == date(2025, 10, 21)
    # Thu 9 Oct + 15: 10, 11, 13–17, 20–24, 27, 28, 29 Oct
    assert re_review == date(2025, 10, 29)


def test_steps_across_the_spring_festival_2025(window):
    # 28 Jan–4 Feb 2025 off; Sun 26 Jan and Sat 8 Feb worked.
    initial, verification, re_review = _walk(
        window, received=date(2025, 1, 24), checked=date(2025, 1, 27),
        refused_on=date(2025, 1, 27), objected=date(2025, 1, 27))
    # Fri 24 Jan + 5: Sun 26, Mon 27 Jan, Wed 5, Thu 6, Fri 7 Feb
    assert initial == date(2025, 2, 7)
    # Mon 27 Jan + 10: 5, 6, 7, 8 (Sat, worked), 10, 11, 12, 13, 14, 17 Feb
    assert verification == date(2025, 2, 17)
    # Mon 27 Jan + 15: 5–8, 10–14, 17–21, 24 Feb
    assert re_review == date(2025, 2, 24)


def test_a_provisional_due_date_is_recomputed_when_the_year_is_entered(window, client):
    from apps.accounts.roles import Role
    from apps.workdays.working_days import add_working_days
    from tests.factories import staff

    # given 2026's official schedule is not yet entered (as 2027's is not today)
    official = add_working_days(date(2026, 9, 25), 5)
    year = CalendarYear.objects.get(year=2026)
    days = list(year.days.values_list("date", "is_workday", "name"))
    year.delete()
    # when a file is received on Friday 25 Sep 2026, before National Day
    application = services.receive_application(elder=window["elder"], kind="subsidy",
                                               by=window["clerk"],
                                               received_on=date(2026, 9, 25))
    # then the due date counts Monday to Friday and says so: 28, 29, 30 Sep, 1, 2 Oct
    assert (application.due_date, application.due_provisional) == (date(2026, 10, 2), True)
    # when the administrator enters the year with its days in the admin form
    admin = staff(Role.ADMINISTRATOR, region=window["elder"].hukou_street.parent.parent,
                  is_superuser=True)
    client.force_login(admin)
    form = {"year": 2026, "source": "国办发明电〔2025〕7号", "days-TOTAL_FORMS": len(days),
            "days-INITIAL_FORMS": 0, "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, (day, worked, name) in enumerate(days):
        form.update({f"days-{i}-date": day.isoformat(), f"days-{i}-name": name,
                     f"days-{i}-is_workday": "on" if worked else ""})
    response = client.post(reverse("admin:workdays_calendaryear_add"), form)
    assert response.status_code == 302
    # then the open step's due date is counted again on the official calendar
    application.refresh_from_db()
    assert (application.due_date, application.due_provisional) == (official.date, False)
    assert official.date > date(2026, 10, 2)


def test_dashboard_counts_per_office_and_stays_in_scope(client, window, tree,
                                                        django_assert_max_num_queries):
    today = date.today()
    for due in (date(2020, 1, 6), date(2020, 1, 7), date(2099, 1, 5)):
        ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]), due_date=due)
    ApplicationFactory(elder=ElderFactory(residence_street=tree["sibling"],
                                          hukou_street=tree["sibling"]), due_date=today)
    client.force_login(window["clerk"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("applications:deadlines"))
    rows = response.context["rows"]
    assert [(r["responsible_office__name"], r["overdue"], r["due_soon"], r["on_time"])
            for r in rows] == [(tree["street"].name, 2, 0, 1)]
    client.force_login(window["officer"])
    rows = client.get(reverse("applications:deadlines")).context["rows"]
    assert {r["responsible_office__name"]: r["due_soon"] for r in rows} == {
        tree["street"].name: 0, tree["sibling"].name: 1}
    listed = client.get(reverse("applications:deadlines"),
                        {"office": tree["street"].pk, "band": "overdue"}).context["listed"]
    assert len(listed) == 2
    assert Application.objects.count() == 4

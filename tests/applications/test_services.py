"""The application path of Art 28 through the services: every step recorded,
every refused step writing nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.applications import services
from apps.applications.models import Application, Status, Transition
from apps.subsidies.models import Entitlement
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db


def _receive(window, on=date(2025, 9, 26), **kwargs):
    return services.receive_application(elder=kwargs.pop("elder", window["elder"]),
                                        kind=kwargs.pop("kind", "subsidy"),
                                        by=kwargs.pop("by", window["clerk"]), received_on=on,
                                        **kwargs)


def test_received_application_is_due_for_initial_check_in_five_working_days(window, tree):
    # given Friday 26 Sep 2025, before National Day (Sun 28 Sep is worked)
    application = _receive(window)
    # then the initial check is due on 10 Oct: 28, 29, 30 Sep, 9, 10 Oct
    assert application.status == Status.RECEIVED
    assert application.due_date == date(2025, 10, 10)
    assert application.responsible_office == tree["street"]
    assert application.transitions.get().action == "receive"


def test_full_path_to_approval_creates_the_entitlement(window, tree):
    application = _receive(window)
    services.take_action(application=application, action="pass_initial_check",
                         by=window["clerk"], on=date(2025, 9, 30))
    application.refresh_from_db()
    # the district's ten working days from Tue 30 Sep 2025 end on 21 Oct
    assert application.status == Status.DISTRICT_VERIFICATION
    assert application.due_date == date(2025, 10, 21)
    assert application.responsible_office == tree["district"]
    services.decide_application(application=application, approve=True, by=window["officer"],
                                care_level="severe", assessed_on=date(2025, 10, 15),
                                on=date(2025, 10, 16))
    application.refresh_from_db()
    entitlement = Entitlement.objects.get(elder=window["elder"])
    assert application.status == Status.APPROVED
    assert (entitlement.subsidy_class, entitlement.monthly_amount, entitlement.valid_from) == (
        "class1", Decimal("600.00"), date(2025, 10, 1))
    assert application.eligibility["eligible"] is True
    assert [t.action for t in application.transitions.all()] == [
        "receive", "pass_initial_check", "approve"]


def test_steps_out_of_order_or_by_the_wrong_office_write_nothing(window):
    application = _receive(window)
    with pytest.raises(ValidationError) as early:
        services.decide_application(application=application, approve=True,
                                    by=window["officer"], care_level="mild",
                                    assessed_on=date(2025, 9, 26), on=date(2025, 9, 29))
    with pytest.raises(ValidationError) as sideways:
        services.take_action(application=application, action="pass_initial_check",
                             by=window["sibling_clerk"], on=date(2025, 9, 29))
    assert early.value.code == "not_allowed"
    assert sideways.value.code == "not_your_office"
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert Transition.objects.filter(application=application).count() == 1


def test_deciding_a_closed_application_is_refused(window):
    application = _receive(window)
    services.take_action(application=application, action="pass_initial_check",
                         by=window["clerk"], on=date(2025, 9, 29))
    services.decide_application(application=application, approve=False, by=window["officer"],
                                reason="不符合条件", on=date(2025, 10, 9))
    with pytest.raises(ValidationError) as closed:
        services.decide_application(application=application, approve=True,
                                    by=window["officer"], care_level="mild",
                                    assessed_on=date(2025, 10, 9), on=date(2025, 10, 10))
    assert closed.value.code == "closed"


def test_objection_is_re_reviewed_in_fifteen_working_days_and_is_final(window):
    application = _receive(window)
    services.take_action(application=application, action="pass_initial_check",
                         by=window["clerk"], on=date(2025, 9, 29))
    services.decide_application(application=application, approve=False, by=window["officer"],
                                reason="评估为能力完好", on=date(2025, 9, 30))
    objection = _receive(window, kind="objection", objection_to=application,
                         on=date(2025, 10, 9))
    # Thu 9 Oct 2025: Fri 10, the make-up Sat 11, then 13 weekdays: 29 Oct
    assert objection.status == Status.RE_REVIEW
    assert objection.due_date == date(2025, 10, 29)
    services.decide_application(application=objection, approve=True, by=window["officer"],
                                care_level="moderate", assessed_on=date(2025, 10, 20),
                                on=date(2025, 10, 21))
    assert Entitlement.objects.get(elder=window["elder"]).monthly_amount == Decimal("400.00")
    with pytest.raises(ValidationError) as again:
        _receive(window, kind="objection", objection_to=objection, on=date(2025, 10, 22))
    assert again.value.error_dict["objection_to"][0].code == "objection_final"


def test_same_district_other_street_is_received_at_residence_checked_at_hukou(window, tree):
    # given an elder with hukou in the clerk's street living in the sibling street
    elder = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["street"])
    # the hukou street's window may not take it (Art 30(1))
    with pytest.raises(ValidationError) as wrong:
        _receive(window, elder=elder)
    application = _receive(window, elder=elder, by=window["sibling_clerk"])
    assert wrong.value.error_dict["elder"][0].code == "wrong_window"
    assert (application.receiving_street, application.checking_street,
            application.service_street) == (tree["sibling"], tree["street"], tree["sibling"])
    assert application.responsible_office == tree["street"]


def test_cross_district_needs_the_entrustment_and_the_hukou_district_pays(window, tree):
    elder = ElderFactory(residence_street=tree["other_street"], hukou_street=tree["street"])
    with pytest.raises(ValidationError) as missing:
        _receive(window, elder=elder)
    application = _receive(window, elder=elder, entrustment_reference="委托-2025-01")
    assert missing.value.error_dict["entrustment_reference"][0].code == "entrustment_required"
    assert application.paying_district == tree["district"]
    assert application.service_street == tree["street"]
    assert application.route_case == "cross_district"


@pytest.mark.parametrize(
    ("fields", "error_field", "code"),
    [
        ({"born": date(1970, 1, 1)}, "elder", "under_age"),
        ({"hukou_street": None}, "kind", "non_local"),
        ({"life_status": "deceased", "life_status_since": date(2025, 9, 1)}, "elder",
         "not_living"),
        ({"life_status": "in_institution", "life_status_since": date(2025, 9, 1)}, "elder",
         "not_living"),
    ],
)
def test_bad_applications_get_field_errors_and_write_nothing(window, tree, fields,
                                                             error_field, code):
    elder = ElderFactory(residence_street=tree["street"], **{"hukou_street": tree["street"],
                                                              **fields})
    with pytest.raises(ValidationError) as error:
        _receive(window, elder=elder)
    assert error.value.error_dict[error_field][0].code == code
    assert not Application.objects.exists()


def test_future_receipt_date_is_refused(window):
    with pytest.raises(ValidationError) as error:
        _receive(window, on=date(2099, 1, 1))
    assert error.value.error_dict["received_on"][0].code == "future"


def test_a_second_subsidy_application_is_refused_while_an_entitlement_runs(window):
    from tests.factories import EntitlementFactory

    EntitlementFactory(elder=window["elder"], valid_from=date(2025, 9, 1))
    with pytest.raises(ValidationError) as error:
        _receive(window)
    assert error.value.error_dict["kind"][0].code == "already_entitled"
    # a re-assessment request is the way to change it
    assert _receive(window, kind="reassessment").status == Status.RECEIVED


def test_a_second_open_application_of_the_same_kind_is_a_field_error(window):
    first = _receive(window)
    with pytest.raises(ValidationError) as error:
        _receive(window)
    assert error.value.error_dict["kind"][0].code == "already_open"
    assert first.reference in error.value.error_dict["kind"][0].messages[0]
    assert Application.objects.count() == 1

"""The window and district screens drive the services; refused steps come
back as errors on the page and write nothing."""

from datetime import date

import pytest
from django.urls import reverse

from apps.applications.models import Application, Status, Transition
from apps.subsidies.models import Entitlement
from tests.factories import ApplicationFactory, ElderFactory

pytestmark = pytest.mark.django_db


def _apply(client, elder, **overrides):
    data = {"kind": "subsidy", "received_on": "2025-09-26",
            "materials": ["application_form", "identity_card"], **overrides}
    return client.post(reverse("applications:application_create", args=[elder.pk]), data)


def test_window_receives_and_prints_a_receipt_with_the_due_date(client, window):
    client.force_login(window["clerk"])
    response = _apply(client, window["elder"])
    application = Application.objects.get()
    assert response.url == reverse("applications:application_receipt", args=[application.pk])
    receipt = client.get(response.url).content.decode()
    assert "2025-10-10" in receipt  # five working days, National Day counted out
    assert "签名的申请表" in receipt
    assert window["elder"].id_number not in receipt


def test_future_receipt_date_is_a_field_error(client, window):
    client.force_login(window["clerk"])
    response = _apply(client, window["elder"], received_on="2099-01-01")
    assert "received_on" in response.context["form"].errors
    assert not Application.objects.exists()


def test_under_sixty_is_refused_on_the_page(client, window, tree):
    young = ElderFactory(born=date(1970, 1, 1), residence_street=tree["street"],
                         hukou_street=tree["street"])
    client.force_login(window["clerk"])
    response = _apply(client, young)
    assert "60" in " ".join(response.context["form"].non_field_errors())
    assert not Application.objects.exists()


def _detail_post(client, application, **data):
    return client.post(reverse("applications:application_detail", args=[application.pk]),
                       data)


def test_street_check_then_district_decision(client, window):
    client.force_login(window["clerk"])
    _apply(client, window["elder"])
    application = Application.objects.get()
    _detail_post(client, application, step="action", action="pass_initial_check",
                 on="2025-09-29")
    client.force_login(window["officer"])
    preview = _detail_post(client, application, step="preview", care_level="mild",
                           on="2025-10-09")
    assert preview.context["preview"]["eligible"] is True
    assert not Entitlement.objects.exists()
    response = _detail_post(client, application, step="decide", decision="approve",
                            care_level="mild", assessed_on="2025-10-08", on="2025-10-09")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert Entitlement.objects.get().monthly_amount == 400


def test_a_step_out_of_order_comes_back_as_an_error_and_writes_nothing(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["officer"])
    response = _detail_post(client, application, step="decide", decision="approve",
                            care_level="mild", assessed_on="2025-10-08", on="2025-10-09")
    assert response.status_code == 200
    assert response.context["decision_form"].non_field_errors()
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert Transition.objects.filter(application=application).count() == 1


def test_refusal_without_reasons_is_a_field_error(client, window):
    application = ApplicationFactory(elder=window["elder"], status="district_verification",
                                     responsible_office=window["elder"].hukou_street.parent)
    client.force_login(window["officer"])
    response = _detail_post(client, application, step="decide", decision="refuse",
                            on="2025-10-09")
    assert "reason" in response.context["decision_form"].errors
    application.refresh_from_db()
    assert application.status == "district_verification"


def test_deciding_a_closed_application_is_refused(client, window):
    application = ApplicationFactory(elder=window["elder"], status="refused")
    client.force_login(window["officer"])
    response = _detail_post(client, application, step="decide", decision="approve",
                            care_level="mild", assessed_on="2025-10-08", on="2025-10-09")
    assert "已办结" in " ".join(response.context["decision_form"].non_field_errors())


def test_queues_list_only_the_office_s_steps_in_constant_queries(
        client, window, tree, django_assert_max_num_queries):
    for _ in range(3):
        ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]))
    ApplicationFactory(elder=ElderFactory(residence_street=tree["sibling"],
                                          hukou_street=tree["sibling"]))
    client.force_login(window["clerk"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("applications:queue"))
    assert len(response.context["object_list"]) == 3
    for _ in range(20):
        ApplicationFactory(elder=ElderFactory(residence_street=tree["street"],
                                              hukou_street=tree["street"]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("applications:queue"))
    assert len(response.context["object_list"]) == 23


def test_out_of_scope_application_is_404(client, window, tree):
    other = ApplicationFactory(elder=ElderFactory(residence_street=tree["other_street"],
                                                  hukou_street=tree["other_street"]))
    client.force_login(window["clerk"])
    for name in ("application_detail", "application_receipt"):
        assert client.get(reverse(f"applications:{name}", args=[other.pk])).status_code == 404
    assert _detail_post(client, other, step="action",
                        action="pass_initial_check").status_code == 404

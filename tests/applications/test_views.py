"""The window and district screens drive the services; refused steps come
back as errors on the page and write nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.applications.models import Application, Status, Transition
from apps.audit.models import AccessLog
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


def test_receipt_names_the_offices_of_the_route_and_logs_the_read(client, window):
    # given an application received at the clerk's window
    client.force_login(window["clerk"])
    _apply(client, window["elder"])
    application = Application.objects.get()
    # when the receipt is opened
    response = client.get(reverse("applications:application_receipt", args=[application.pk]))
    # then it names the office, the route, the next step, and prints
    page = response.content.decode()
    assert 'data-testid="office"' in page
    assert "District One" in page
    assert "户籍地与居住地为同一街道" in page
    assert 'id="print"' in page
    assert application.reference in page
    # and the read of the elder's record is logged
    assert AccessLog.objects.filter(user=window["clerk"],
                                    object_id=str(window["elder"].pk)).exists()


def test_entrustment_is_asked_only_across_districts(client, window, tree):
    # given a local elder and one whose hukou is here but who lives in another district
    away = ElderFactory(born=date(1944, 3, 2), hukou_street=tree["street"],
                        residence_street=tree["other_street"], lives_alone=True)
    client.force_login(window["clerk"])
    # when the clerk opens the application form for each
    local = client.get(reverse("applications:application_create", args=[window["elder"].pk]))
    cross = client.get(reverse("applications:application_create", args=[away.pk]))
    # then only the cross-district one asks for the entrustment agreement
    assert "entrustment_reference" not in local.context["form"].fields
    assert "entrustment_reference" in cross.context["form"].fields
    # and submitting without it is a field error that writes nothing
    response = _apply(client, away)
    assert "entrustment_reference" in response.context["form"].errors
    assert not Application.objects.exists()
    _apply(client, away, entrustment_reference="WT-2025-7")
    assert Application.objects.get().route_case == "cross_district"


def test_second_open_application_of_a_kind_is_refused_on_the_page(client, window):
    client.force_login(window["clerk"])
    _apply(client, window["elder"])
    response = _apply(client, window["elder"])
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert Application.objects.count() == 1


def test_return_for_materials_needs_a_reason_and_writes_nothing_without(client, window):
    application = ApplicationFactory(elder=window["elder"])
    client.force_login(window["clerk"])
    response = _detail_post(client, application, step="action",
                            action="return_for_materials", on="2025-09-29")
    assert response.status_code == 200
    assert response.context["step_form"].errors
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    _detail_post(client, application, step="action", action="return_for_materials",
                 on="2025-09-29", reason="缺户口簿")
    application.refresh_from_db()
    assert (application.status, application.due_date) == (Status.RETURNED, None)


def test_each_office_sees_only_its_own_step_forms(client, window):
    # given an application at the street's initial check
    application = ApplicationFactory(elder=window["elder"])
    url = reverse("applications:application_detail", args=[application.pk])
    # when the clerk opens it: the street steps, no decision
    client.force_login(window["clerk"])
    clerk_page = client.get(url)
    assert [value for value, _ in clerk_page.context["street_actions"]] == [
        "pass_initial_check", "return_for_materials", "withdraw"]
    assert clerk_page.context["can_decide"] is False
    assert 'id="decision"' not in clerk_page.content.decode()
    # when the district officer opens it after the check: the decision, no street step
    Application.objects.filter(pk=application.pk).update(
        status="district_verification", responsible_office=window["elder"].hukou_street.parent)
    client.force_login(window["officer"])
    officer_page = client.get(url)
    assert officer_page.context["street_actions"] == []
    assert officer_page.context["can_decide"] is True
    assert 'id="check-eligibility"' in officer_page.content.decode()
    assert 'id="documents"' in officer_page.content.decode()


def test_objection_is_recorded_and_re_reviewed_once_and_for_all(client, window):
    # given a refused application
    refused = ApplicationFactory(elder=window["elder"], status="refused",
                                 responsible_office=None, due_date=None)
    client.force_login(window["clerk"])
    assert client.get(reverse("applications:application_detail",
                              args=[refused.pk])).context["can_object"] is True
    # when the clerk records an objection
    response = _detail_post(client, refused, step="object",
                            received_on=f"{timezone.localdate():%Y-%m-%d}", notes="不服")
    objection = Application.objects.get(kind="objection")
    # then it goes to re-review at the district, and its receipt is printed
    assert response.url == reverse("applications:application_receipt", args=[objection.pk])
    assert (objection.status, objection.objection_to) == (Status.RE_REVIEW, refused)
    assert client.get(reverse("applications:application_detail",
                              args=[refused.pk])).context["can_object"] is False
    # when the district refuses it again on re-review
    client.force_login(window["officer"])
    _detail_post(client, objection, step="decide", decision="refuse", reason="复核维持",
                 on=f"{timezone.localdate():%Y-%m-%d}")
    objection.refresh_from_db()
    # then it is final: no further decision or objection is offered
    assert objection.status == Status.REFUSED
    page = client.get(reverse("applications:application_detail", args=[objection.pk]))
    assert page.context["can_decide"] is False
    assert page.context["can_object"] is False


def test_work_queue_lists_overdue_first_with_days_left(client, window, tree):
    # given three open initial checks of the clerk's street, one overdue
    today = timezone.localdate()
    elders = [ElderFactory(residence_street=tree["street"], hukou_street=tree["street"])
              for _ in range(3)]
    late = ApplicationFactory(elder=elders[0], due_date=today - timedelta(days=2))
    soon = ApplicationFactory(elder=elders[1], due_date=today + timedelta(days=3))
    later = ApplicationFactory(elder=elders[2], due_date=today + timedelta(days=9),
                               kind="own_cost")
    client.force_login(window["clerk"])
    # when the clerk opens the work queue
    response = client.get(reverse("applications:queue"))
    # then the overdue file comes first, each with its days left
    rows = [(a.pk, a.days_left) for a in response.context["object_list"]]
    assert rows == [(late.pk, -2), (soon.pk, 3), (later.pk, 9)]
    assert 'class="overdue"' in response.content.decode()
    # and the filters narrow it by kind and to the overdue
    by_kind = client.get(reverse("applications:queue"), {"kind": "own_cost"})
    assert [a.pk for a in by_kind.context["object_list"]] == [later.pk]
    overdue = client.get(reverse("applications:queue"), {"overdue": "on"})
    assert [a.pk for a in overdue.context["object_list"]] == [late.pk]


def test_verification_queue_holds_the_district_s_verification_and_re_review(client, window,
                                                                            tree):
    # given files at each step in the district, and one in another district
    here = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["sibling"])
    checking = ApplicationFactory(elder=window["elder"])
    verifying = ApplicationFactory(elder=here, status="district_verification",
                                   responsible_office=tree["district"])
    away = ElderFactory(residence_street=tree["other_street"],
                        hukou_street=tree["other_street"])
    ApplicationFactory(elder=away, status="district_verification",
                       responsible_office=tree["other_district"])
    # when the district officer opens the verification queue
    client.force_login(window["officer"])
    response = client.get(reverse("applications:verification_queue"))
    # then only the district's verification step is listed
    assert [a.pk for a in response.context["object_list"]] == [verifying.pk]
    # and the street's queue of the clerk does not list it
    client.force_login(window["clerk"])
    queue = client.get(reverse("applications:queue"))
    assert [a.pk for a in queue.context["object_list"]] == [checking.pk]


def test_menu_offers_each_role_its_queue(client, window):
    client.force_login(window["clerk"])
    clerk_home = client.get(reverse("core:home")).content.decode()
    assert reverse("applications:queue") in clerk_home
    assert reverse("elders:elder_register") in clerk_home
    assert reverse("applications:verification_queue") not in clerk_home
    client.force_login(window["officer"])
    officer_home = client.get(reverse("core:home")).content.decode()
    assert reverse("applications:verification_queue") in officer_home


def test_out_of_scope_elder_cannot_be_given_an_application(client, window, tree):
    stranger = ElderFactory(residence_street=tree["sibling"], hukou_street=tree["sibling"])
    client.force_login(window["clerk"])
    url = reverse("applications:application_create", args=[stranger.pk])
    assert client.get(url).status_code == 404
    assert _apply(client, stranger).status_code == 404
    assert not Application.objects.exists()

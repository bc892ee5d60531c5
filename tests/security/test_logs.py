"""No personal data in logs: with every logger recording at DEBUG, a
realistic working day (sign-ins good and bad, a registration, searches, an
application, a visit upload with errors, a 404, a 403, a validation error, a
change in admin, API calls) writes no elder's identity number, phone, name or
address into any log record; the audit's access log keeps ids and masked
numbers, never a full number, a phone or an address. The web server's access
log (gunicorn) records the path without its query string."""

import io
import logging
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AccessLog
from apps.core.demo import synthetic_identity
from apps.elders.models import Elder
from tests.factories import staff

pytestmark = pytest.mark.django_db

NEW_NUMBER = synthetic_identity("440106", date(1938, 7, 9), 21)
NEW_PHONE = "13912345678"
NEW_ADDRESS = "天河路385号9栋1201房"
NEW_NAME = "司马秀兰"


@pytest.fixture
def day(tree):
    from tests.visits.factories import world

    w = world(district=tree["district"], street=tree["street"])
    elder = w.elder
    elder.phone, elder.address = "13800001111", "五山路1号3栋502"
    elder.save()
    return w


def _secrets(elders) -> dict[str, str]:
    found = {}
    for elder in elders:
        for field in ("id_number", "phone", "address", "name"):
            value = getattr(elder, field)
            if value:
                found[f"{elder.pk}.{field}"] = value
        found[f"{elder.pk}.birth"] = elder.id_number[6:14]  # the date part alone
    return found


def _a_working_day(client, w, tree):
    staff(Role.STREET_STAFF, region=tree["street"], username="clerk-li")
    officer = staff(Role.DISTRICT_STAFF, region=tree["district"], username="officer-wu")
    elder = w.elder
    login = reverse("accounts:login")
    # sign-ins: a username that is an identity number, a wrong password, a good one
    client.post(login, {"username": elder.id_number, "password": "wrong"})
    client.post(login, {"username": NEW_PHONE, "password": "wrong"})
    client.post(login, {"username": "clerk-li", "password": "wrong"})
    client.post(login, {"username": "clerk-li", "password": "Pass-word-123"})
    # a registration with a validation error (a wrong check digit), then a good one
    register = {"name": NEW_NAME, "document_type": "resident_id",
                "id_number": NEW_NUMBER[:-1] + ("0" if NEW_NUMBER[-1] != "0" else "1"),
                "residence_street": tree["street"].pk, "hukou_street": tree["street"].pk,
                "model_worker": "none", "phone": NEW_PHONE, "address": NEW_ADDRESS}
    client.post(reverse("elders:elder_register"), register)
    client.post(reverse("elders:check_number"), {"id_number": NEW_NUMBER})
    client.post(reverse("elders:elder_register"), {**register, "id_number": NEW_NUMBER})
    # searches, the record, the number revealed, the statement
    client.post(reverse("elders:elder_list"), {"q": elder.name, "private_search": "1"},
                follow=True)
    client.get(reverse("elders:elder_detail", args=[elder.pk]))
    client.post(reverse("elders:elder_reveal", args=[elder.pk]), {"reason": "核对身份"})
    # an application with errors, then received
    client.post(reverse("applications:application_create", args=[elder.pk]), {})
    # a 404 and a 403
    client.get(reverse("elders:elder_detail", args=[999_999_999]))
    client.get(f"/elders/{elder.id_number}/")
    client.force_login(w.user)
    client.get(reverse("elders:elder_list"))
    # a visit upload with errors: an unknown number, the elder's with bad times
    rows = ("服务单号,身份证号码,服务项目编码,服务人员编号,签到时间,签退时间,签到方式,签退方式\n"
            f"V-1,{NEW_NUMBER},RN-HOME,{w.caregiver.pk},2025-10-02 09:00,2025-10-02 08:00,"
            "card,card\n"
            f"V-2,{elder.id_number},NOPE,{w.caregiver.pk},2025-10-02 09:00,2025-10-02 10:00,"
            "card,card\n")
    upload = io.BytesIO(("\ufeff" + rows).encode())
    upload.name = "visits.csv"
    response = client.post(reverse("visits:upload"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-800:]
    client.get(response["Location"])
    client.get(response["Location"] + "errors.csv")
    # the bulk API with a rejected row
    client.post("/api/visits/bulk/", {"visits": [{"provider_visit_id": "A-1",
                                                  "elder": elder.id_number}]},
                content_type="application/json")
    # a change in admin and an API read by the district
    client.force_login(officer)
    client.post(reverse("admin:elders_elder_change", args=[elder.pk]), {"name": ""})
    client.get("/api/elders/")
    client.get(f"/api/elders/{elder.pk}/")


def test_no_log_record_holds_personal_data(client, tree, day, caplog):
    """LOG_LEVEL=DEBUG in production must not write personal data either."""
    from eldercare import settings as production

    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.NOTSET)  # every logger at DEBUG ...
    for name, config in production.LOGGING["loggers"].items():
        logging.getLogger(name).setLevel(config["level"])  # ... but where production says
    _a_working_day(client, day, tree)
    elders = list(Elder.objects.all())
    # the day really happened: an elder registered, rows refused, a number revealed
    from apps.visits.models import VisitSubmission

    assert any(e.name == NEW_NAME for e in elders)
    assert VisitSubmission.objects.filter(outcome="rejected").count() >= 2
    assert AccessLog.objects.filter(action="reveal").exists()
    # what a handler writes: the settings' format is the message with its name
    # (no handler renders the request object a django.request record carries)
    records = [f"{r.name}: {r.getMessage()} {r.args!r} {r.exc_text or ''}"
               for r in caplog.records]
    assert len(records) > 5  # the capture works: django.request's 404s, axes' failures
    text = "\n".join(records)
    leaked = {key: value for key, value in
              {**_secrets(elders), "typed phone": NEW_PHONE, "typed address": NEW_ADDRESS,
               "typed number": NEW_NUMBER}.items() if value in text}
    assert leaked == {}, [r for r in records if any(v in r for v in leaked.values())]


def test_the_access_log_holds_no_number_phone_or_address(client, tree, day):
    _a_working_day(client, day, tree)
    entries = list(AccessLog.objects.values_list("object_type", "object_id", "object_label",
                                                 "path"))
    assert entries  # the record, the reveal and the lists were logged
    text = repr(entries)
    secrets = {key: value for key, value in _secrets(Elder.objects.all()).items()
               if not key.endswith(".name")}
    assert {key for key, value in secrets.items() if value in text} == set()
    assert all(object_id.isdigit() for _t, object_id, _l, _p in entries)


def test_the_web_server_logs_paths_without_query_strings():
    from gunicorn.config import Config

    config = Config()
    source = Path(settings.BASE_DIR, "gunicorn.conf.py")
    namespace: dict = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    config.set("access_log_format", namespace["access_log_format"])
    fmt = config.access_log_format
    # %(r)s is the request line, %(q)s the query string, %(f)s the referrer
    assert "%(U)s" in fmt
    assert not any(atom in fmt for atom in ("%(r)s", "%(q)s", "%(f)s"))


def test_a_number_typed_into_a_url_is_masked_in_the_request_log(client, street_user, caplog):
    # no URL of ours carries one, but a hand-typed path is logged by django.request
    caplog.set_level(logging.DEBUG)
    number = synthetic_identity("440106", date(1944, 3, 2), 7)
    client.force_login(street_user)
    assert client.get(f"/elders/{number}/").status_code == 404
    assert client.get("/elders/13912345678/").status_code == 404
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Not Found: /elders/440" in text
    assert number not in text
    assert "13912345678" not in text

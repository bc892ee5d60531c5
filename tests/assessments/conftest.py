"""Shared by the assessment tests: a contracted body with four qualified
assessors, and a subsidy application waiting for district verification."""

from datetime import date

import pytest

from tests.factories import AssessmentBodyFactory, AssessorFactory


@pytest.fixture
def team(tree):
    body = AssessmentBodyFactory(districts=[tree["district"]])
    return {"body": body, "a": AssessorFactory(body=body), "b": AssessorFactory(body=body),
            "c": AssessorFactory(body=body), "d": AssessorFactory(body=body)}


@pytest.fixture
def application(window):
    from apps.applications import services as applications

    application = applications.receive_application(
        elder=window["elder"], kind="subsidy", by=window["clerk"], received_on=date(2025, 10, 9))
    applications.take_action(application=application, action="pass_initial_check",
                             by=window["clerk"], on=date(2025, 10, 10))
    return application

"""Complaints recorded through the service, as the screens record them."""

from datetime import date

from apps.complaints.services import record_complaint
from tests.factories import ProviderFactory


def make_complaint(street, *, provider=None, received_on=date(2025, 9, 26), **fields):
    fields.setdefault("source", "phone")
    fields.setdefault("category", "quality")
    fields.setdefault("description", "The meals came cold")
    return record_complaint(provider=provider or ProviderFactory(region=street.parent),
                            street=street, received_on=received_on, **fields)

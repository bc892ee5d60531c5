"""factory_boy factories. Objects stay consistent by construction: an
elder's streets lie in one tree, a user's role matches its jurisdiction."""

import itertools
import uuid
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.applications.models import Application, Document
from apps.core.demo import synthetic_identity
from apps.elders import identity
from apps.elders.models import DocumentType, Elder
from apps.elders.services import identity_digest
from apps.providers.models import Provider
from apps.providers.rules import with_check_character
from apps.regions.models import Region, RegionKind
from apps.subsidies.models import Entitlement

_codes = itertools.count(1)


class RegionFactory(DjangoModelFactory):
    """Test regions hang under the seeded city with codes no official
    division uses (they start with T)."""

    class Meta:
        model = Region

    kind = RegionKind.DISTRICT
    code = factory.LazyFunction(lambda: f"T{next(_codes):07d}")
    name = factory.LazyAttribute(lambda o: f"{o.kind}-{o.code}")
    parent = factory.LazyFunction(lambda: Region.objects.get(kind=RegionKind.CITY))

    @classmethod
    def district(cls, **kwargs):
        return cls(kind=RegionKind.DISTRICT, **kwargs)

    @classmethod
    def street(cls, district, **kwargs):
        return cls(kind=RegionKind.STREET, parent=district, **kwargs)

    @classmethod
    def community(cls, street, **kwargs):
        return cls(kind=RegionKind.COMMUNITY, parent=street, is_demo=True, **kwargs)


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    credit_code = factory.Sequence(lambda n: with_check_character(f"91440100{n:09d}"))
    region = factory.SubFactory(RegionFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Pass-word-123")
    role = ""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and self.role:
            self.groups.set([Group.objects.get(name=self.role)])
        self.save()


def staff(role: Role, region=None, provider=None, **kwargs) -> User:
    """A member of staff with ``role`` at ``region`` (or ``provider``)."""
    from apps.accounts.roles import ADMIN_SITE_ROLES

    return UserFactory(role=role.value, region=region, provider=provider,
                       is_staff=role in ADMIN_SITE_ROLES, **kwargs)


_sequence = itertools.count(1)


class ElderFactory(DjangoModelFactory):
    class Meta:
        model = Elder

    class Params:
        born = date(1950, 5, 17)

    name = factory.Sequence(lambda n: f"Elder {n}")
    document_type = DocumentType.RESIDENT_ID
    id_number = factory.LazyAttribute(
        lambda o: synthetic_identity("440106", o.born, next(_sequence)))
    id_number_digest = factory.LazyAttribute(
        lambda o: identity_digest(DocumentType.RESIDENT_ID, o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: identity.mask(o.id_number))
    birth_date = factory.LazyAttribute(lambda o: o.born)
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    residence_street = factory.LazyFunction(
        lambda: RegionFactory.street(RegionFactory.district()))
    hukou_street = factory.LazyAttribute(lambda o: o.residence_street)


class ApplicationFactory(DjangoModelFactory):
    """An application as the window leaves it: received, the street's
    initial check open. Streets follow the elder's (a local case)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    kind = "subsidy"
    status = "received"
    elder = factory.SubFactory(ElderFactory)
    route_case = "local"
    receiving_street = factory.LazyAttribute(lambda o: o.elder.hukou_street)
    checking_street = factory.LazyAttribute(lambda o: o.elder.hukou_street)
    service_street = factory.LazyAttribute(lambda o: o.elder.hukou_street)
    paying_district = factory.LazyAttribute(lambda o: o.elder.hukou_street.parent)
    responsible_office = factory.LazyAttribute(lambda o: o.elder.hukou_street)
    received_on = date(2025, 9, 26)
    step_started_on = date(2025, 9, 26)
    due_date = date(2025, 10, 10)
    received_by = factory.LazyAttribute(
        lambda o: staff(Role.STREET_STAFF, region=o.elder.hukou_street))

    @factory.post_generation
    def received(self, create, extracted, **kwargs):
        if create:
            self.transitions.create(action="receive", to_status=self.status,
                                    actor=self.received_by, effective_on=self.received_on,
                                    due_date=self.due_date)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    application = factory.SubFactory(ApplicationFactory)
    kind = "identity_card"
    token = factory.LazyFunction(lambda: uuid.uuid4().hex)
    extension = ".pdf"
    file = factory.django.FileField(filename="scan.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "scan.pdf"
    content_type = "application/pdf"
    size = 15
    uploaded_by = factory.LazyAttribute(lambda o: o.application.received_by)


class EntitlementFactory(DjangoModelFactory):
    class Meta:
        model = Entitlement

    elder = factory.SubFactory(ElderFactory)
    subsidy_class = "class1"
    care_level = "moderate"
    monthly_amount = Decimal("400.00")
    service_street = factory.LazyAttribute(lambda o: o.elder.hukou_street)
    paying_district = factory.LazyAttribute(lambda o: o.elder.hukou_street.parent)
    valid_from = date(2025, 10, 1)


class AssessmentBodyFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.AssessmentBody"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Assessment body {n}")
    credit_code = factory.Sequence(lambda n: f"TESTAB{n:012d}")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)


class AssessorFactory(DjangoModelFactory):
    class Meta:
        model = "assessments.Assessor"

    body = factory.SubFactory(AssessmentBodyFactory)
    name = factory.Sequence(lambda n: f"Assessor {n}")
    profession = "nurse"
    qualification = "护士执业证书"
    trained_on = date(2025, 3, 1)
    examination_passed_on = date(2025, 4, 1)

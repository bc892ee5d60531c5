"""Compliance facts of many providers in a handful of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from apps.policy.lookup import value_on
from apps.providers import rules
from apps.providers.models import Certificate, Provider, StaffMember


def _rehab_nursing_clients(day: date):
    """Count a provider's (``OuterRef("pk")``) rehabilitation-nursing
    clients on ``day``: the distinct elders of its agreements in force that
    day with an item of that category (Art 15)."""
    from apps.careplans.models import ServiceAgreement
    from apps.catalogue.models import ServiceCategory

    clients = (ServiceAgreement.objects.in_force_on(day)
               .filter(provider=OuterRef("pk"),
                       items__service_item__category=ServiceCategory.REHABILITATION_NURSING)
               .order_by().values("provider").annotate(clients=Count("elder", distinct=True))
               .values("clients"))
    return Coalesce(Subquery(clients), 0)


def with_rehab_nursing_clients(providers, day: date):
    """Annotate ``rehab_clients_on_day`` in the query that lists the
    providers (the count the district once recorded is not read)."""
    return providers.annotate(rehab_clients_on_day=_rehab_nursing_clients(day))


def rehab_nursing_clients(provider_ids: Iterable[int], day: date) -> dict[int, int]:
    """Each provider's rehabilitation-nursing clients on ``day``, in one query."""
    return dict(with_rehab_nursing_clients(Provider.objects.filter(pk__in=list(provider_ids)),
                                           day).values_list("pk", "rehab_clients_on_day"))


def provider_facts(provider: Provider) -> rules.ProviderFacts:
    """The plain facts the rules read, from a provider whose policies and
    staff (with certificates) are prefetched and whose rehabilitation-nursing
    clients are annotated (``with_rehab_nursing_clients``)."""
    return rules.ProviderFacts(
        rehab_nursing_clients=provider.rehab_clients_on_day,
        policies=tuple(rules.PolicyFact(p.kind, p.valid_from, p.valid_until)
                       for p in provider.insurance_policies.all()),
        staff=tuple(
            rules.StaffFact(member.name, member.role, member.active, tuple(
                rules.CertificateFact(c.kind, c.number, c.issued_on, c.expires_on)
                for c in member.certificates.all()))
            for member in provider.staff_members.all()),
    )


def with_roster(providers):
    """Prefetch what the compliance rules need: 3 queries for any number."""
    return providers.prefetch_related(
        "insurance_policies",
        Prefetch("staff_members", queryset=StaffMember.objects.prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "pk")))))


def compliance_for(providers: Iterable[Provider] | None = None, *, day: date,
                   user=None) -> dict[int, list[rules.Flag]]:
    """Return the flags of each provider on ``day``, keyed by provider id.

    Pass the providers, or a ``user`` to check every provider they may see.
    The nurse ratio is read once per district (a district may set its own);
    the clients are those of the agreements in force on ``day``, not the
    count the district once recorded on the provider.
    """
    if providers is None:
        rows = Provider.objects.visible_to(user)
    else:
        rows = Provider.objects.filter(pk__in=[p.pk for p in providers])
    rows = list(with_roster(with_rehab_nursing_clients(rows, day)))
    ratios = {district_id: value_on("ratio.nurse_clients", day, district_id)
              for district_id in {p.region_id for p in rows}}
    return {p.pk: rules.compliance_flags(provider_facts(p), day,
                                         clients_per_nurse=ratios[p.region_id])
            for p in rows}

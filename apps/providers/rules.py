"""Pure provider-registry rules: the credit code's check character (GB
32100-2015) and the compliance flags of Art 14-15 (insurance, the 1:10
nurse ratio, certificates). No ORM: callers pass plain facts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# GB 32100-2015 code characters; I, O, S, V and Z are never used.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# The weight of position i is 3**i mod 31.
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# The demo's providers carry codes no registration office issues.
DEMO_PREFIX = "DEMO"

# A certificate expiring this many days ahead (or fewer) is flagged as a
# warning, so the provider renews it before it lapses.
CERTIFICATE_WARNING_DAYS = 30

ERROR = "error"
WARNING = "warning"

# The stored values of the choices these rules look at (models.py names
# them for people).
NURSE = "nurse"
NURSE_PRACTISING = "nurse_practising"
PREMISES_LIABILITY = "premises_liability"
STAFF_ACCIDENT = "staff_accident"


def credit_code_check_character(first17: str) -> str:
    """Return the 18th character of a code whose first 17 are ``first17``.

    check = 31 - (sum of value x weight) mod 31, where 31 becomes 0.
    """
    total = sum(CREDIT_CODE_CHARSET.index(char) * weight
                for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def with_check_character(first17: str) -> str:
    """Complete ``first17`` into an 18-character code."""
    return first17 + credit_code_check_character(first17)


def credit_code_problem(code: str) -> str | None:
    """Return what is wrong with a unified social credit code, or None.

    The answer is an error code: ``credit_code_length``,
    ``credit_code_characters`` or ``credit_code_check``.
    """
    if len(code) != 18:
        return "credit_code_length"
    if any(char not in CREDIT_CODE_CHARSET for char in code):
        return "credit_code_characters"
    if credit_code_check_character(code[:17]) != code[17]:
        return "credit_code_check"
    return None


def is_demo_credit_code(code: str) -> bool:
    """``DEMO`` and 14 digits: allowed only on demo providers."""
    return len(code) == 18 and code.startswith(DEMO_PREFIX) and code[4:].isdigit()


# --- compliance (Art 14-15) ------------------------------------------------


@dataclass(frozen=True)
class PolicyFact:
    kind: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class CertificateFact:
    kind: str
    number: str
    issued_on: date
    expires_on: date | None


@dataclass(frozen=True)
class StaffFact:
    name: str
    role: str
    active: bool
    certificates: tuple[CertificateFact, ...] = ()


@dataclass(frozen=True)
class ProviderFacts:
    rehab_nursing_clients: int
    policies: tuple[PolicyFact, ...] = ()
    staff: tuple[StaffFact, ...] = ()


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    severity: str = ERROR
    params: dict = field(default_factory=dict, compare=False)

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING


def is_policy_valid_on(policy: PolicyFact, day: date) -> bool:
    """A policy covers its first and its last day (valid_until inclusive)."""
    return policy.valid_from <= day <= policy.valid_until


def is_certificate_valid_on(certificate: CertificateFact, day: date) -> bool:
    """A certificate is valid from its issue date up to and including its
    expiry date; one without an expiry date never expires."""
    if certificate.issued_on > day:
        return False
    return certificate.expires_on is None or day <= certificate.expires_on


def qualified_nurses(staff: tuple[StaffFact, ...], day: date) -> int:
    """Count active nurses holding a practising certificate valid on ``day``."""
    return sum(
        1 for member in staff
        if member.active and member.role == NURSE and any(
            c.kind == NURSE_PRACTISING and is_certificate_valid_on(c, day)
            for c in member.certificates))


def nurse_ratio_flags(*, nurses: int, clients: int, clients_per_nurse: Decimal) -> list[Flag]:
    """Flag fewer than one qualified nurse per ``clients_per_nurse``
    rehabilitation-nursing clients (Art 15: 1:10): N nurses carry up to
    N x ratio clients."""
    if clients <= nurses * clients_per_nurse:
        return []
    needed = math.ceil(Decimal(clients) / clients_per_nurse)
    params = {"clients": clients, "nurses": nurses, "needed": needed,
              "ratio": int(clients_per_nurse)}
    return [Flag(
        "nurse_ratio",
        _("%(clients)s rehabilitation-nursing clients need at least %(needed)s qualified "
          "nurses (1 : %(ratio)s), but %(nurses)s are on the roster. Add a nurse with a "
          "valid practising certificate, or take on fewer clients.") % params,
        params=params)]


def insurance_flags(policies: tuple[PolicyFact, ...], day: date) -> list[Flag]:
    """Flag each compulsory insurance (Art 15) with no policy valid on ``day``."""
    valid = {p.kind for p in policies if is_policy_valid_on(p, day)}
    flags = []
    if PREMISES_LIABILITY not in valid:
        flags.append(Flag("no_premises_liability", _(
            "No premises liability insurance is in force. Record a valid policy.")))
    if STAFF_ACCIDENT not in valid:
        flags.append(Flag("no_staff_accident", _(
            "No staff accident insurance is in force. Record a valid policy.")))
    return flags


def certificate_flags(staff: tuple[StaffFact, ...], day: date,
                      warning_days: int = CERTIFICATE_WARNING_DAYS) -> list[Flag]:
    """Flag each expired certificate of active staff, and warn of those
    expiring within ``warning_days``. A certificate expiring today is still
    valid today (a warning, not an expiry)."""
    flags = []
    horizon = day + timedelta(days=warning_days)
    for member in staff:
        if not member.active:
            continue
        for certificate in member.certificates:
            expires = certificate.expires_on
            if expires is None:
                continue
            params = {"name": member.name, "number": certificate.number,
                      "expires_on": expires.isoformat()}
            if expires < day:
                flags.append(Flag("certificate_expired", _(
                    "Certificate %(number)s of %(name)s expired on %(expires_on)s. "
                    "Record the renewed certificate.") % params, params=params))
            elif expires <= horizon:
                flags.append(Flag("certificate_expiring", _(
                    "Certificate %(number)s of %(name)s expires on %(expires_on)s. "
                    "Renew it in time.") % params, WARNING, params=params))
    return flags


def compliance_flags(facts: ProviderFacts, day: date, *, clients_per_nurse: Decimal
                     ) -> list[Flag]:
    """Every flag of one provider on ``day``: errors first, then warnings."""
    flags = [
        *nurse_ratio_flags(nurses=qualified_nurses(facts.staff, day),
                           clients=facts.rehab_nursing_clients,
                           clients_per_nurse=clients_per_nurse),
        *insurance_flags(facts.policies, day),
        *certificate_flags(facts.staff, day),
    ]
    return sorted(flags, key=lambda flag: flag.is_warning)

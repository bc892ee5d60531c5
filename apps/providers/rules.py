"""Pure provider-registry rules: the credit code's check character (GB
32100-2015) and the compliance flags of Art 14-15 (insurance, the 1:10
nursing-staff ratio, certificates). No ORM: callers pass plain facts."""

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

# Product choice, not a policy value: the measures set no renewal notice
# period and there is no policy key for one. A staff member's latest
# certificate of a kind expiring this many days ahead (or fewer) is flagged
# as a warning, so the provider renews it before it lapses.
CERTIFICATE_EXPIRY_WARNING_DAYS = 30

ERROR = "error"
WARNING = "warning"

# The stored values of the choices these rules look at (models.py names
# them for people).
NURSE = "nurse"
CAREGIVER = "caregiver"
NURSE_PRACTISING = "nurse_practising"
ELDERCARE_WORKER = "eldercare_worker"
PREMISES_LIABILITY = "premises_liability"
STAFF_ACCIDENT = "staff_accident"

# Art 15: "提供康复护理服务的机构，护理人员与服务对象的配备比例不低于1:10，
# 护理人员应具有专业技术教育背景或从业资格" -- the 1:10 counts nursing staff
# (护理人员), not only registered nurses, and each must hold a professional
# or practising qualification. The roster records qualifications as
# certificates, so a qualified nursing staff member is an active nurse or
# caregiver holding, valid on the day, one of these certificates:
NURSING_STAFF_ROLES = frozenset({NURSE, CAREGIVER})
QUALIFYING_NURSING_CERTIFICATES = {
    NURSE_PRACTISING: "护士执业证书 (nurse practising certificate)",
    ELDERCARE_WORKER: "养老护理员职业技能等级证书 (eldercare-worker skill-level certificate)",
}


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


def is_qualified_nursing_staff(member: StaffFact, day: date) -> bool:
    """Art 15: an active nurse or caregiver holding a qualifying certificate
    (``QUALIFYING_NURSING_CERTIFICATES``) valid on ``day``."""
    return member.active and member.role in NURSING_STAFF_ROLES and any(
        c.kind in QUALIFYING_NURSING_CERTIFICATES and is_certificate_valid_on(c, day)
        for c in member.certificates)


def qualified_nursing_staff(staff: tuple[StaffFact, ...], day: date) -> int:
    """Count the qualified nursing staff (护理人员) on ``day`` (Art 15)."""
    return sum(1 for member in staff if is_qualified_nursing_staff(member, day))


def nurse_ratio_flags(*, nursing_staff: int, clients: int, clients_per_nurse: Decimal
                      ) -> list[Flag]:
    """Flag fewer than one qualified nursing staff member per
    ``clients_per_nurse`` rehabilitation-nursing clients (Art 15: 1:10):
    N staff carry up to N x ratio clients."""
    if clients <= nursing_staff * clients_per_nurse:
        return []
    needed = math.ceil(Decimal(clients) / clients_per_nurse)
    params = {"clients": clients, "nursing_staff": nursing_staff, "needed": needed,
              "ratio": int(clients_per_nurse)}
    return [Flag(
        "nurse_ratio",
        _("%(clients)s rehabilitation-nursing clients need at least %(needed)s qualified "
          "nursing staff (1 : %(ratio)s), but %(nursing_staff)s are on the roster. Add a "
          "nurse or caregiver with a valid nurse practising or eldercare-worker "
          "certificate, or take on fewer clients.") % params,
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


def _latest(certificates: list[CertificateFact]) -> CertificateFact:
    """The most recently issued certificate (on a tie, the one running longest)."""
    return max(certificates, key=lambda c: (c.issued_on, c.expires_on or date.max))


def certificate_flags(staff: tuple[StaffFact, ...], day: date,
                      warning_days: int = CERTIFICATE_EXPIRY_WARNING_DAYS) -> list[Flag]:
    """Flag, for each active staff member and certificate kind, an expired
    certificate when no certificate of that kind is valid on ``day`` (a
    renewal clears the flag); and warn when the latest certificate of the
    kind expires within ``warning_days``. A certificate expiring today is
    still valid today (a warning, not an expiry)."""
    flags = []
    horizon = day + timedelta(days=warning_days)
    for member in staff:
        if not member.active:
            continue
        by_kind: dict[str, list[CertificateFact]] = {}
        for certificate in member.certificates:
            by_kind.setdefault(certificate.kind, []).append(certificate)
        for certificates in by_kind.values():
            if not any(is_certificate_valid_on(c, day) for c in certificates):
                expired = [c for c in certificates
                           if c.expires_on is not None and c.expires_on < day]
                if expired:
                    last = max(expired, key=lambda c: c.expires_on)
                    params = {"name": member.name, "number": last.number,
                              "expires_on": last.expires_on.isoformat()}
                    flags.append(Flag("certificate_expired", _(
                        "Certificate %(number)s of %(name)s expired on %(expires_on)s. "
                        "Record the renewed certificate.") % params, params=params))
                    continue
            latest = _latest(certificates)
            expires = latest.expires_on
            if expires is not None and day <= expires <= horizon:
                params = {"name": member.name, "number": latest.number,
                          "expires_on": expires.isoformat()}
                flags.append(Flag("certificate_expiring", _(
                    "Certificate %(number)s of %(name)s expires on %(expires_on)s. "
                    "Renew it in time.") % params, WARNING, params=params))
    return flags


def compliance_flags(facts: ProviderFacts, day: date, *, clients_per_nurse: Decimal
                     ) -> list[Flag]:
    """Every flag of one provider on ``day``: errors first, then warnings."""
    flags = [
        *nurse_ratio_flags(nursing_staff=qualified_nursing_staff(facts.staff, day),
                           clients=facts.rehab_nursing_clients,
                           clients_per_nurse=clients_per_nurse),
        *insurance_flags(facts.policies, day),
        *certificate_flags(facts.staff, day),
    ]
    return sorted(flags, key=lambda flag: flag.is_warning)

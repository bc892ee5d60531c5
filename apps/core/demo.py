"""The demo world and the city-scale generator (synthetic people only).

Demo communities and providers are flagged ``is_demo`` and carry codes that
cannot pass for official ones; identity numbers are synthetic but valid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pghistory
from django.db import transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.accounts.services import create_staff
from apps.elders import identity
from apps.elders.models import DocumentType, Elder
from apps.elders.services import identity_digest
from apps.providers.models import Provider
from apps.regions.models import Region, RegionKind

DEMO_DISTRICT = "440106"  # 天河区
NEIGHBOUR_DISTRICT = "440104"  # 越秀区, to show that nothing crosses over
DEMO_PASSWORD = "Demo-2026!"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
GIVEN = "秀英桂兰玉珍凤华淑芳德明建国志强国华永福金水伟文丽娟美玲少芬惠敏伯伦耀祖锦荣"
COMMUNITY_SUFFIXES = ["东社区", "西社区", "南社区", "北社区"]


@dataclass
class DemoAccount:
    username: str
    role: str
    place: str


def synthetic_identity(district_code: str, born: date, sequence: int) -> str:
    body = f"{district_code}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + identity.check_character(body)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def build_elders(streets: list[Region], count: int, rng: random.Random,
                 communities: dict[int, list[Region]] | None = None,
                 today: date | None = None) -> list[Elder]:
    """Unsaved elders aged 60–100 spread over ``streets`` (bulk-creatable)."""
    today = today or timezone.localdate()
    communities = communities or {}
    elders, seen = [], set()
    sequence = rng.randrange(1000)
    while len(elders) < count:
        street = rng.choice(streets)
        born = today - timedelta(days=rng.randint(60 * 365 + 20, 100 * 365))
        sequence += 1
        number = synthetic_identity(street.district_code, born, sequence)
        digest = identity_digest(DocumentType.RESIDENT_ID, number)
        if digest in seen:
            continue
        seen.add(digest)
        roll = rng.random()
        hukou = None if roll < 0.03 else (rng.choice(streets) if roll < 0.10 else street)
        options = communities.get(street.pk) or [None]
        facts = _household_and_economy(rng)
        elders.append(Elder(**facts,
            name=_name(rng), document_type=DocumentType.RESIDENT_ID, id_number=number,
            id_number_digest=digest, id_number_masked=identity.mask(number),
            birth_date=born, sex="M" if int(number[16]) % 2 else "F",
            residence_street=street, hukou_street=hukou, community=rng.choice(options),
            phone=f"13{rng.randrange(10**9):09d}",
            address=f"{street.name}示例路{rng.randint(1, 300)}号",
        ))
    return elders


def _household_and_economy(rng: random.Random) -> dict:
    """Plausible shares of the Art 26 facts among elders (synthetic)."""
    alone = rng.random() < 0.15
    return {
        "lives_alone": alone,
        "gugua": alone and rng.random() < 0.3,
        "pure_elderly_household": not alone and rng.random() < 0.35,
        "dibao": rng.random() < 0.04,
        "low_income": rng.random() < 0.04,
        "youfu": rng.random() < 0.02,
        "sanwu_or_wubao": rng.random() < 0.005,
        "family_planning_special_support": rng.random() < 0.01,
        "monthly_pension": Decimal(rng.randrange(150_000, 650_000)) / 100,
    }


def _demo_applications(street: Region, clerk, officer, today: date) -> None:
    """Applications of the demo street at every step, made through the
    services with past dates, so the queues and dashboards have work."""
    from apps.applications import services
    from apps.applications.models import Application

    if Application.objects.filter(receiving_street=street).exists():
        return
    candidates = list(Elder.objects.filter(
        residence_street=street, hukou_street=street).order_by("pk")[:12])
    for elder in candidates:
        # Art 26(1)3: aged 80+, or of a low-income household, and living alone
        elder.lives_alone = True
        elder.low_income = identity.age_on(elder.birth_date, today) < 80
        elder.save(update_fields=["lives_alone", "low_income"])
    steps = ["received", "verification", "approved_severe", "refused", "objection",
             "returned", "received_late", "approved", "verification", "approved", "received",
             "verification"]
    for offset, (elder, step) in enumerate(zip(candidates, steps, strict=False)):
        received = today - timedelta(days=3 if step == "received" else 12 + offset * 2)
        application = services.receive_application(
            elder=elder, kind="subsidy", by=clerk, received_on=received,
            materials=["application_form", "identity_card", "hukou_booklet"])
        if step in ("received", "received_late"):
            continue
        if step == "returned":
            services.take_action(application=application, action="return_for_materials",
                                 by=clerk, on=received, reason="缺少户口簿复印件")
            continue
        checked = received + timedelta(days=2)
        services.take_action(application=application, action="pass_initial_check",
                             by=clerk, on=checked)
        if step == "verification":
            continue
        decided = checked + timedelta(days=5)
        level = "severe" if step == "approved_severe" else "moderate"
        services.decide_application(
            application=application, approve=step != "refused" and step != "objection",
            by=officer, care_level="none" if step in ("refused", "objection") else level,
            assessed_on=decided, reason="" if step.startswith("approved") else
            "评估结果为能力完好，不符合资助条件", on=decided)
        if step == "objection":
            services.receive_application(elder=elder, kind="objection", by=clerk,
                                         objection_to=application, received_on=decided)


def _community(street: Region, index: int) -> Region:
    code = f"DEMO-{street.code}-{index + 1:02d}"
    name = street.name.removesuffix("街道").removesuffix("镇") + COMMUNITY_SUFFIXES[index]
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region(code=code, name=f"{name}（演示）", kind=RegionKind.COMMUNITY,
                        parent=street, is_demo=True)
        region.full_clean()
        region.save()
    return region


def build_demo(*, elders: int = 300, seed: int = 2026) -> list[DemoAccount]:
    """Populate Tianhe district for a demonstration; safe to run twice."""
    with transaction.atomic(), pghistory.context(command="build_demo"):
        return _build_demo(elders, seed)


def _build_demo(elders: int, seed: int) -> list[DemoAccount]:
    rng = random.Random(seed)
    district = Region.objects.get(code=DEMO_DISTRICT)
    streets = list(district.children.order_by("code"))
    communities = {s.pk: [_community(s, i) for i in range(3)] for s in streets}
    provider, _ = Provider.objects.get_or_create(
        credit_code="DEMO00000000000001",
        defaults={"name": "天河康乐居家养老服务中心（演示）", "region": district, "is_demo": True},
    )
    first, second = streets[0], streets[1]
    neighbour = Region.objects.get(code=NEIGHBOUR_DISTRICT)
    city = district.parent
    plan = [
        ("admin", Role.ADMINISTRATOR, city, "林志远"),
        ("city", Role.CITY_STAFF, city, "黄嘉欣"),
        ("district", Role.DISTRICT_STAFF, district, "周晓峰"),
        ("finance", Role.FINANCE_OFFICER, district, "郑美玲"),
        ("assessor", Role.ASSESSOR, district, "梁伟强"),
        ("street", Role.STREET_STAFF, first, "陈小红"),
        ("caremanager", Role.CARE_MANAGER, first, "李慧敏"),
        ("street2", Role.STREET_STAFF, second, "吴家豪"),
        ("yuexiu", Role.DISTRICT_STAFF, neighbour, "何丽华"),
        ("provider", Role.PROVIDER_STAFF, provider, "冯少芬"),
        ("caregiver", Role.PROVIDER_STAFF, provider, "陈志明"),
    ]
    accounts = []
    from apps.accounts.models import User

    for username, role, place, name in plan:
        if not User.objects.filter(username=username).exists():
            is_provider = isinstance(place, Provider)
            user = create_staff(
                username=username, password=DEMO_PASSWORD, role=role,
                region=None if is_provider else place,
                provider=place if is_provider else None,
                last_name=name[0], first_name=name[1:],
            )
            if role == Role.ADMINISTRATOR:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        accounts.append(DemoAccount(username, str(role.label), str(place)))
    existing = Elder.objects.filter(residence_street__parent=district).count()
    if existing < elders:
        Elder.objects.bulk_create(
            build_elders(streets, elders - existing, rng, communities), batch_size=1000,
            ignore_conflicts=True,
        )
    _demo_applications(first, User.objects.get(username="street"),
                       User.objects.get(username="district"), timezone.localdate())
    _demo_assessments(district, first, User.objects.get(username="assessor"),
                      timezone.localdate())
    _demo_providers_and_facilities(district, first, provider)
    return accounts


def _demo_providers_and_facilities(district: Region, street: Region, provider) -> None:
    """The demo provider's roster, contract and last year's grade; the demo
    street's facilities (one station out of compliance) and care managers;
    plans and agreements with the provider for a few approved elders, and
    their visits of last month and this month by the demo caregiver."""
    from apps.caremanagers.demo import build_demo_care_managers
    from apps.careplans.demo import build_demo_care_plans
    from apps.contracts.demo import build_demo_contracts
    from apps.evaluations.demo import build_demo_evaluations
    from apps.facilities.demo import build_demo_facilities
    from apps.providers.demo import build_demo_roster
    from apps.visits.demo import build_demo_visits

    build_demo_roster(provider)
    build_demo_contracts(district, provider)
    build_demo_evaluations(district, provider)
    build_demo_facilities(district)
    build_demo_care_managers(street)
    build_demo_care_plans(provider)
    build_demo_visits(provider)


def _demo_assessments(district: Region, street: Region, assessor_user, today: date) -> None:
    """A demo assessment body with the demo assessor on it; assessments for
    the demo street's files in district verification (one scheduled at home
    for today, one waiting to be scheduled), and last month's locked
    re-assessment of an approved elder, so the fee statement has a line."""
    from apps.applications.models import Application
    from apps.assessments import services
    from apps.assessments.models import AssessmentBody, Assessor
    from apps.assessments.standards import gbt_42195
    from apps.subsidies.models import Entitlement

    body, created = AssessmentBody.objects.get_or_create(
        credit_code="DEMOAB000000000001", defaults={"name": "天河长者能力评估中心（演示）"})
    if not created:
        return
    body.districts.add(district)
    trained = today - timedelta(days=400)
    team = [Assessor.objects.create(body=body, user=user, name=name, profession=profession,
                                    qualification=certificate, trained_on=trained,
                                    examination_passed_on=trained + timedelta(days=30))
            for user, name, profession, certificate in (
                (assessor_user, "梁伟强", "nurse", "护士执业证书（演示）"),
                (None, "何晓敏", "social_worker", "助理社会工作师（演示）"),
                (None, "邓国华", "physician", "执业医师资格证书（演示）"))]
    waiting = Application.objects.filter(receiving_street=street,
                                         status="district_verification").order_by("pk")
    for number, application in enumerate(waiting[:2]):
        assessment = services.request_assessment(elder=application.elder, reason="first",
                                                 application=application, on=today)
        if number == 0:
            services.schedule_assessment(assessment=assessment, body=body,
                                         assessors=team[:2], place="home", on=today)
    approved = Entitlement.objects.current().filter(service_street=street,
                                                   care_level="moderate").order_by("pk")
    month_ago = today.replace(day=1) - timedelta(days=20)
    for entitlement in approved[:1]:
        assessment = services.request_assessment(elder=entitlement.elder, reason="routine",
                                                 on=month_ago)
        services.schedule_assessment(assessment=assessment, body=body,
                                     assessors=[team[0], team[2]], place="home", on=month_ago)
        services.save_answers(assessment=assessment, answers={
            item.code: str(max(item.maximum - 1, 0)) for item in gbt_42195().items})
        services.score_assessment(assessment=assessment, on=month_ago)
        services.sign_assessment(assessment=assessment, informant_name="家属（演示）")
    services.compile_fee_statements(month=month_ago)


def generate_city(*, elders: int, seed: int = 1, batch_size: int = 5000) -> int:
    """Add ``elders`` synthetic elders across every street of the city."""
    rng = random.Random(seed)
    streets = list(Region.objects.filter(kind=RegionKind.STREET))
    start = Elder.objects.count()
    while (created := Elder.objects.count() - start) < elders:
        batch = build_elders(streets, min(batch_size, elders - created), rng)
        with transaction.atomic(), pghistory.context(command="generate_city"):
            # a synthetic number may repeat one from an earlier batch: skipped
            Elder.objects.bulk_create(batch, ignore_conflicts=True)
    return created



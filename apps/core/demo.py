"""The demo world and the city-scale generator (synthetic people only).

Demo communities and providers are flagged ``is_demo`` and carry codes that
cannot pass for official ones; identity numbers are synthetic but valid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

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
        elders.append(Elder(
            name=_name(rng), document_type=DocumentType.RESIDENT_ID, id_number=number,
            id_number_digest=digest, id_number_masked=identity.mask(number),
            birth_date=born, sex="M" if int(number[16]) % 2 else "F",
            residence_street=street, hukou_street=hukou, community=rng.choice(options),
            phone=f"13{rng.randrange(10**9):09d}",
            address=f"{street.name}示例路{rng.randint(1, 300)}号",
        ))
    return elders


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
    return accounts


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



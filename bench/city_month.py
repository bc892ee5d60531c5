"""A city-scale month of subsidised home care, generated in SQL (synthetic
people only), for ``bench/settlement_month.py``.

``generate(month, elders=..., providers=..., visits=...)`` builds, in the
seeded region data (the 11 districts and their streets) of an otherwise
empty database:

- ``providers`` providers spread over the districts in proportion to their
  streets, each with a contract in force bought by its district covering
  all its streets and six items, 20 caregivers, and a grade in force per
  category (优秀/良好/合格/不合格, a few without a grade, about one in ten
  changing on the 15th of the month);
- ``elders`` subsidised elders spread evenly over the streets, each with the
  entitlement in force paid by their district (class 1 at 400 for about
  55 %, class 1 with the nursing supplement at 600 for 15 %, class 2 half
  capped at 200 for 30 %; 2 % with an earlier entitlement it replaced, 1 %
  dying on the 15th), plus 1 % more elders at own cost;
- a service plan for 90 % of them (items named for their provider or left
  to the shared pool, with various monthly times), an agreement with each
  of their one or two providers with its items;
- ``visits`` current visits in the month over six items (home rehabilitation
  nursing and home life care of durations on both sides of their bonus
  minimum, home medical visits, day care, meals, cleaning), the number per
  elder between 2 and 38; 0.5 % of them are corrections that superseded an
  earlier version (not current).

Everything but the providers and the elders (whose identity numbers, phones
and addresses are encrypted in Python; both bulk-inserted) is written by
INSERT ... SELECT over generate_series and a few temporary tables;
pseudo-random choices come from ``hashint8`` of the row number and a seeded
``random.Random``, so a generation is reproducible. The generated rows get
no change-history events (the history triggers are told to let them pass).
"""

from __future__ import annotations

import io
import random
import time
from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

BENCH_NAME = "城市基准服务商"  # providers of the generated month: "<name> 001"
CAREGIVERS = 20
# service item code -> (price, minutes: lowest, spread)
ITEMS = {
    "RN-HOME": (Decimal("50.00"), 20, 41),  # bonus from 30 minutes: ~1/4 below
    "LC-HOME": (Decimal("38.00"), 40, 111),  # per hour, bonus from 60 minutes: ~1/5 below
    "HC-HOME": (Decimal("60.00"), 15, 31),  # bonus, no minimum
    "DC-DAY": (Decimal("80.00"), 360, 121),  # per day, bonus
    "ML-CANTEEN": (Decimal("12.00"), 30, 20),  # no bonus
    "LC-CLEAN": (Decimal("35.00"), 60, 61),  # per hour, no bonus
}
PROFILES = [  # the items an elder uses
    ("RN-HOME", "LC-HOME"), ("LC-HOME", "LC-CLEAN"), ("RN-HOME", "HC-HOME"),
    ("DC-DAY", "ML-CANTEEN"), ("LC-HOME", "ML-CANTEEN", "LC-CLEAN"),
    ("RN-HOME", "LC-HOME", "HC-HOME"), ("LC-HOME",), ("RN-HOME",),
]
GRADED = ("rehabilitation_nursing", "life_care", "healthcare", "day_care", "meals")

# h(n, salt): a pseudo-random number in 0 .. 2^32 - 1 of the integer n
H = "(hashint8(({n})::bigint * 97 + {salt})::bigint + 2147483648)"


def h(n: str, salt: int) -> str:
    return H.format(n=n, salt=salt)


def is_generated(month: date, visits: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM providers_provider WHERE name LIKE %s",
                       [BENCH_NAME + "%"])
        (providers,) = cursor.fetchone()
        if not providers:
            return False
        cursor.execute("SELECT count(*) FROM visits_servicevisit WHERE is_current "
                       "AND service_date BETWEEN %s AND %s", [month, _last(month)])
        (count,) = cursor.fetchone()
    if count != visits:
        raise SystemExit(f"the database holds a different or partial month ({count:,} "
                         f"visits): run again with --reset")
    return True


def reset() -> None:
    """Drop and create the database again (a database named *bench* only);
    the caller migrates it."""
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    name = settings["NAME"]
    if "bench" not in name:
        raise SystemExit("--reset drops the database: only one named *bench*")
    connection.close()
    server = psycopg2.connect(dbname="postgres", user=settings["USER"],
                              password=settings["PASSWORD"], host=settings["HOST"],
                              port=settings["PORT"] or 5432)
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


def _last(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


def _step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {label:<44} {now - started:6.1f} s", flush=True)
    return now


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def generate(month: date, *, elders: int, providers: int, visits: int, seed: int = 7) -> None:
    """The month (see the module docstring)."""
    _generate(month, elders=elders, providers=providers, visits=visits, seed=seed)


def _no_history(cursor) -> None:
    """The generated rows get no change-history events: the transaction
    tells pghistory's insert and update triggers to let them pass, as
    ``pgtrigger.ignore`` does (which mixes its parameter with named ones)."""
    import pgtrigger

    ids = set()
    for model, trigger in pgtrigger.registered():
        if trigger.name in ("insert_insert", "update_update"):
            ids |= {f"{model._meta.db_table}:{trigger.get_pgid(model)}", trigger.get_pgid(model)}
    cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)",
                   ["{" + ",".join(sorted(ids)) + "}"])


def _generate(month: date, *, elders: int, providers: int, visits: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.core.demo import _household_and_economy, _name, synthetic_identity
    from apps.elders import identity
    from apps.elders.models import DocumentType, Elder
    from apps.elders.services import identity_digest
    from apps.providers.models import Provider
    from apps.providers.rules import with_check_character
    from apps.regions.models import Region, RegionKind

    rng = random.Random(seed)
    last = _last(month)
    days = last.day
    since = date(month.year - 2, 1, 1)
    started = time.perf_counter()
    districts = list(Region.objects.filter(kind=RegionKind.DISTRICT).order_by("code"))
    streets = {d.pk: list(Region.objects.filter(kind=RegionKind.STREET, parent=d)
                          .order_by("code")) for d in districts}
    every_street = [s for d in districts for s in streets[d.pk]]

    # providers in proportion to the districts' streets (largest remainder)
    quotas = [providers * len(streets[d.pk]) / len(every_street) for d in districts]
    counts = [int(q) for q in quotas]
    for i in sorted(range(len(districts)), key=lambda i: counts[i] - quotas[i])[
            :providers - sum(counts)]:
        counts[i] += 1
    rows, number = [], 0
    for district, count in zip(districts, counts, strict=True):
        for _ in range(count):
            number += 1
            rows.append(Provider(
                name=f"{BENCH_NAME}{number:03d}", region=district,
                credit_code=with_check_character(f"91440100CM{number:07d}"),
                service_categories=list(GRADED), contact_person="联系人",
                registered_address=f"{district.name}示例路{number}号"))

    # elders: subsidised ones evenly over the streets, then 1 % at own cost
    own_cost = max(1, elders // 100)
    people, seen = [], set()
    today = timezone.localdate()
    while len(people) < elders + own_cost:
        street = every_street[len(people) % len(every_street)]
        born = today - timedelta(days=rng.randint(60 * 365 + 20, 100 * 365))
        number = synthetic_identity(street.district_code, born, rng.randrange(1000))
        digest = identity_digest(DocumentType.RESIDENT_ID, number)
        if digest in seen:
            continue
        seen.add(digest)
        people.append(Elder(
            **_household_and_economy(rng), name=_name(rng),
            document_type=DocumentType.RESIDENT_ID, id_number=number,
            id_number_digest=digest, id_number_masked=identity.mask(number),
            birth_date=born, sex="M" if int(number[16]) % 2 else "F",
            residence_street=street, hukou_street=street,
            phone=f"13{rng.randrange(10**9):09d}", home_location="23.129100,113.264400",
            address=f"{street.name}示例路{rng.randint(1, 300)}号"))
    with transaction.atomic():
        with connection.cursor() as cursor:
            _no_history(cursor)
        Provider.objects.bulk_create(rows)
        Elder.objects.bulk_create(people, batch_size=5000)
    started = _step(f"{len(rows)} providers, {len(people):,} elders (ORM bulk)", started)

    by_district = {}
    for provider in rows:
        by_district.setdefault(provider.region_id, []).append(provider.pk)
    district_of = {s.pk: d.pk for d in districts for s in streets[d.pk]}

    # visits per elder: 2..38, adjusted to exactly ``visits``
    total = elders + own_cost
    per_elder = [rng.randint(2, 38) for _ in range(total)]
    planned = sum(per_elder)  # kept as it changes: a sum per step is quadratic
    while (gap := visits - planned) != 0:
        i = rng.randrange(total)
        if gap > 0 and per_elder[i] < 38:
            per_elder[i] += 1
            planned += 1
        elif gap < 0 and per_elder[i] > 2:
            per_elder[i] -= 1
            planned -= 1

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")
        _no_history(cursor)
        # the generation's plan of each elder: kind of entitlement, plan or not,
        # providers, items used, visits in the month
        cursor.execute("""
            CREATE TEMP TABLE cm_elder (n int PRIMARY KEY, elder_id bigint, street_id bigint,
                district_id bigint, kind text, has_plan bool, died bool, replaced bool,
                p1 bigint, p2 bigint, items text[], visits int) ON COMMIT DROP""")
        plan_rows = []
        for n, elder in enumerate(people):
            district = district_of[elder.residence_street_id]
            choices = by_district[district]
            roll = rng.random()
            kind = ("own" if n >= elders else "c1" if roll < 0.55 else "c1s" if roll < 0.70
                    else "c2")
            p1 = rng.choice(choices)
            p2 = rng.choice([c for c in choices if c != p1]) if (
                len(choices) > 1 and rng.random() < 0.3) else None
            items = "{" + ",".join(rng.choice(PROFILES)) + "}"
            plan_rows.append((n, elder.pk, elder.residence_street_id, district, kind,
                              rng.random() < 0.9, kind != "own" and rng.random() < 0.01,
                              kind != "own" and rng.random() < 0.02, p1, p2, items,
                              per_elder[n]))
        _copy(cursor, "cm_elder", ["n", "elder_id", "street_id", "district_id", "kind",
                                   "has_plan", "died", "replaced", "p1", "p2", "items",
                                   "visits"], plan_rows)
        cursor.execute("ANALYZE cm_elder")
        cursor.execute("""
            CREATE TEMP TABLE cm_item ON COMMIT DROP AS
            SELECT i.id, i.code, i.unit, i.category, p.price, p.low, p.spread
              FROM catalogue_serviceitem i
              JOIN unnest(%s::text[], %s::numeric[], %s::int[], %s::int[])
                   AS p(code, price, low, spread) ON p.code = i.code""",
                       [list(ITEMS), [v[0] for v in ITEMS.values()],
                        [v[1] for v in ITEMS.values()], [v[2] for v in ITEMS.values()]])
        params = {"month": month, "last": last, "since": since, "days": days,
                  "until": date(month.year + 2, 12, 31), "died_on": month + timedelta(days=14),
                  "staff": CAREGIVERS, "name": BENCH_NAME + "%",
                  "year": month.year - 1, "graded_from": date(month.year - 1, 3, 1),
                  "change_on": month + timedelta(days=14), "categories": list(GRADED)}

        # providers' caregivers, contracts (covering their district's streets), items
        cursor.execute("""
            INSERT INTO providers_staffmember (created_at, updated_at, name, role, phone,
                active, joined_on, provider_id)
            SELECT now(), now(), '护理员' || p.id || '-' || s, 'caregiver', '', true,
                   %(since)s, p.id
              FROM providers_provider p CROSS JOIN generate_series(1, %(staff)s) s
             WHERE p.name LIKE %(name)s ORDER BY p.id, s""", params)
        cursor.execute("""
            INSERT INTO contracts_contract (created_at, updated_at, reference, signed_on,
                starts_on, ends_on, status, end_reason, provider_id, purchaser_id)
            SELECT now(), now(), 'CM-HT-' || p.id, %(since)s, %(since)s, %(until)s,
                   'active', '', p.id, p.region_id
              FROM providers_provider p WHERE p.name LIKE %(name)s""", params)
        cursor.execute("""
            INSERT INTO contracts_contract_covered_area (contract_id, region_id)
            SELECT c.id, s.id FROM contracts_contract c
              JOIN regions_region s ON s.parent_id = c.purchaser_id AND s.kind = 'street'
             WHERE c.reference LIKE 'CM-HT-%%'""")
        cursor.execute("""
            INSERT INTO contracts_contractitem (created_at, updated_at, price, contract_id,
                service_item_id)
            SELECT now(), now(), i.price, c.id, i.id
              FROM contracts_contract c CROSS JOIN cm_item i
             WHERE c.reference LIKE 'CM-HT-%%'""")
        cursor.execute("""
            CREATE TEMP TABLE cm_provider ON COMMIT DROP AS
            SELECT p.id, c.id AS contract_id,
                   (SELECT min(s.id) FROM providers_staffmember s
                     WHERE s.provider_id = p.id) AS first_staff
              FROM providers_provider p JOIN contracts_contract c ON c.provider_id = p.id
             WHERE p.name LIKE %(name)s""", params)
        cursor.execute("ALTER TABLE cm_provider ADD PRIMARY KEY (id)")
        # grades per category: none 5 %, 不合格 7 %, 合格 33 %, 良好 35 %, 优秀 20 %;
        # about one in ten changes on the 15th of the month
        cursor.execute(f"""
            INSERT INTO evaluations_providergrade (created_at, updated_at, category, year,
                grade, effective_from, provider_id)
            SELECT now(), now(), c.category, g.year, g.grade, g.effective_from, p.id
              FROM cm_provider p CROSS JOIN unnest(%(categories)s::text[]) c(category)
             CROSS JOIN LATERAL (SELECT {h("p.id * 10 + length(c.category)", 1)} %% 100 AS r,
                                        {h("p.id * 10 + length(c.category)", 2)} %% 100 AS r2
                                ) x
             CROSS JOIN LATERAL (
                 SELECT %(year)s AS year, %(graded_from)s::date AS effective_from,
                        CASE WHEN x.r < 12 THEN 'unqualified' WHEN x.r < 45 THEN 'qualified'
                             WHEN x.r < 80 THEN 'good' ELSE 'excellent' END AS grade
                  WHERE x.r >= 5
                 UNION ALL
                 SELECT %(year)s + 1, %(change_on)s::date,
                        CASE WHEN x.r2 < 30 THEN 'good' WHEN x.r2 < 60 THEN 'excellent'
                             ELSE 'qualified' END
                  WHERE x.r2 < 10) g""", params)
        started = _step("caregivers, contracts, grades", started)

        # entitlements: the one replaced first (class 2, ended the month before last)
        cursor.execute("""
            INSERT INTO subsidies_entitlement (created_at, updated_at, subsidy_class,
                care_level, monthly_amount, nursing_supplement, elder_share, valid_from,
                valid_until, status, end_reason, end_note, criteria, elder_id,
                paying_district_id, service_street_id)
            SELECT now(), now(), 'class2', 'mild', 200, 0, 0.5, %(since)s,
                   (%(month)s::date - interval '1 month' - interval '1 day')::date, 'ended',
                   'reassessed', '', '[]'::jsonb, e.elder_id, e.district_id, e.street_id
              FROM cm_elder e WHERE e.replaced""", params)
        cursor.execute("""
            INSERT INTO subsidies_entitlement (created_at, updated_at, subsidy_class,
                care_level, monthly_amount, nursing_supplement, elder_share, valid_from,
                valid_until, status, end_reason, end_note, criteria, elder_id,
                paying_district_id, service_street_id, predecessor_id)
            SELECT now(), now(),
                   CASE e.kind WHEN 'c2' THEN 'class2' WHEN 'own' THEN 'own_cost'
                               ELSE 'class1' END,
                   CASE e.kind WHEN 'c1s' THEN 'severe' WHEN 'own' THEN 'none'
                               ELSE 'moderate' END,
                   CASE e.kind WHEN 'c1' THEN 400 WHEN 'c1s' THEN 600 WHEN 'c2' THEN 200
                               ELSE 0 END,
                   CASE e.kind WHEN 'c1s' THEN 200 ELSE 0 END,
                   CASE e.kind WHEN 'c2' THEN 0.5 ELSE 0 END,
                   CASE WHEN e.replaced THEN (%(month)s::date - interval '1 month')::date
                        ELSE %(since)s END,
                   CASE WHEN e.died THEN %(died_on)s END,
                   CASE WHEN e.died THEN 'ended' ELSE 'active' END,
                   CASE WHEN e.died THEN 'deceased' ELSE '' END, '', '[]'::jsonb,
                   e.elder_id, e.district_id, e.street_id, old.id
              FROM cm_elder e
              LEFT JOIN (SELECT o.elder_id, o.id FROM subsidies_entitlement o
                          WHERE o.end_reason = 'reassessed') old
                     ON old.elder_id = e.elder_id""", params)
        cursor.execute("""
            UPDATE elders_elder el SET life_status = 'deceased', life_status_since = %(died_on)s
              FROM cm_elder e WHERE e.elder_id = el.id AND e.died""", params)
        cursor.execute("ANALYZE subsidies_entitlement")
        started = _step("entitlements", started)

        # plans (90 %), their items: named for the first provider or shared
        # (one in four), and for a third of the elders with two providers a line
        # for the second provider too
        cursor.execute("""
            INSERT INTO careplans_serviceplan (created_at, updated_at, starts_on, status,
                needs, note, elder_id, entitlement_id)
            SELECT now(), now(), %(since)s, 'active', '', '', e.elder_id, en.id
              FROM cm_elder e
              JOIN subsidies_entitlement en ON en.elder_id = e.elder_id
                   AND en.end_reason <> 'reassessed'
             WHERE e.has_plan""", params)
        cursor.execute("ANALYZE careplans_serviceplan")
        cursor.execute(f"""
            INSERT INTO careplans_serviceplanitem (created_at, updated_at, times_per_month,
                units_per_time, unit_price, plan_id, provider_id, service_item_id)
            SELECT now(), now(), 2 + {h("e.n * 8 + x.k", 3)} %% 10,
                   CASE WHEN i.unit = 'hour' THEN 1 + ({h("e.n * 8 + x.k", 4)} %% 3) * 0.5
                        ELSE 1 END,
                   i.price, p.id,
                   CASE WHEN {h("e.n * 8 + x.k", 5)} %% 4 = 0 THEN NULL ELSE e.p1 END, i.id
              FROM cm_elder e
              JOIN careplans_serviceplan p ON p.elder_id = e.elder_id
             CROSS JOIN LATERAL unnest(e.items) WITH ORDINALITY x(code, k)
              JOIN cm_item i ON i.code = x.code
            UNION ALL
            SELECT now(), now(), 1 + {h("e.n", 6)} %% 4, 1, i.price, p.id, e.p2, i.id
              FROM cm_elder e
              JOIN careplans_serviceplan p ON p.elder_id = e.elder_id
              JOIN cm_item i ON i.code = e.items[1]
             WHERE e.p2 IS NOT NULL AND {h("e.n", 7)} %% 3 = 0""", params)
        started = _step("plans and their items", started)

        cursor.execute("""
            INSERT INTO careplans_serviceagreement (created_at, updated_at, reference,
                signed_on, starts_on, schedule, signed_by_agent, signatory_name, status,
                end_reason, end_note, contract_id, elder_id, provider_id, plan_id)
            SELECT now(), now(), 'CM-XY-' || e.n || '-' || w.which, %(since)s, %(since)s, '',
                   false, '', 'active', '', '', pr.contract_id, e.elder_id, w.provider_id,
                   p.id
              FROM cm_elder e
             CROSS JOIN LATERAL (VALUES (1, e.p1), (2, e.p2)) w(which, provider_id)
              JOIN cm_provider pr ON pr.id = w.provider_id
              LEFT JOIN careplans_serviceplan p ON p.elder_id = e.elder_id""", params)
        cursor.execute("""
            INSERT INTO careplans_agreementitem (created_at, updated_at, unit_price,
                times_per_month, service_item_id, agreement_id)
            SELECT now(), now(), i.price, 8, i.id, a.id
              FROM careplans_serviceagreement a
              JOIN cm_elder e ON e.elder_id = a.elder_id
             CROSS JOIN LATERAL unnest(e.items) x(code)
              JOIN cm_item i ON i.code = x.code
             WHERE a.reference LIKE 'CM-XY-%%'""")
        cursor.execute("""
            CREATE TEMP TABLE cm_agreement ON COMMIT DROP AS
            SELECT a.elder_id, a.provider_id, a.id FROM careplans_serviceagreement a
             WHERE a.reference LIKE 'CM-XY-%%'""")
        cursor.execute("CREATE INDEX ON cm_agreement (elder_id, provider_id)")
        cursor.execute("ANALYZE cm_agreement")
        started = _step("agreements and their items", started)

        # the visits: visit k of elder n; one in three by the second provider
        # (if any); the item from the elder's items; a day (before the 15th for
        # an elder who died then) and a start between 07:00 and 16:10 local
        # time; the duration by item
        cursor.execute(f"""
            CREATE TEMP TABLE cm_visit ON COMMIT DROP AS
            SELECT e.n, k, e.elder_id,
                   CASE WHEN e.p2 IS NOT NULL AND {h("e.n * 64 + k", 11)} %% 3 = 0
                        THEN e.p2 ELSE e.p1 END AS provider_id,
                   e.items[1 + {h("e.n * 64 + k", 12)} %% cardinality(e.items)] AS code,
                   ((%(month)s::date + ({h("e.n * 64 + k", 13)} %%
                        CASE WHEN e.died THEN 14 ELSE %(days)s END)::int)
                    + time '07:00' + ({h("e.n * 64 + k", 14)} %% 12) * interval '50 minutes')
                       AT TIME ZONE 'Asia/Shanghai' AS check_in_at,
                   {h("e.n * 64 + k", 15)} AS r, {h("e.n * 64 + k", 16)} %% 200 = 0
                       AS corrected
              FROM cm_elder e CROSS JOIN generate_series(1, e.visits) k""", params)
        cursor.execute("""
            CREATE TEMP TABLE cm_row ON COMMIT DROP AS
            SELECT v.*, i.id AS item_id, i.price,
                   i.low + v.r %% i.spread AS minutes,
                   CASE WHEN i.unit = 'hour'
                        THEN greatest(1, (i.low + v.r %% i.spread) / 30)::numeric / 2
                        ELSE 1 END AS units,
                   a.id AS agreement_id,
                   pr.first_staff + v.r %% %(staff)s AS caregiver_id
              FROM cm_visit v
              JOIN cm_item i ON i.code = v.code
              JOIN cm_agreement a ON a.elder_id = v.elder_id AND a.provider_id = v.provider_id
              JOIN cm_provider pr ON pr.id = v.provider_id""", params)
        started = _step("visits planned", started)
        columns = """provider_id, provider_visit_id, version, is_current, correction_reason,
            elder_id, agreement_id, caregiver_id, service_item_id, service_date, check_in_at,
            check_in_method, check_in_reason, check_out_at, check_out_method,
            check_out_reason, photo, photo_sha256, notes, confirmation, confirmed_by_name,
            units, unit_price, amount, flags, channel, submitted_at, supersedes_id"""
        # the first versions of the corrected visits: a quarter hour longer
        cursor.execute(f"""
            INSERT INTO visits_servicevisit ({columns})
            SELECT r.provider_id, 'CM' || r.n || '-' || r.k, 1, false, '', r.elder_id,
                   r.agreement_id, r.caregiver_id, r.item_id,
                   (r.check_in_at AT TIME ZONE 'Asia/Shanghai')::date, r.check_in_at, 'card',
                   '', r.check_in_at + (r.minutes + 15) * interval '1 minute', 'card', '', '',
                   '', '', 'elder', '', r.units, r.price, round(r.units * r.price, 2), '{{}}',
                   'api', r.check_in_at + interval '2 hours', NULL
              FROM cm_row r WHERE r.corrected""")
        # the current visits, in the order they arrive (by check-out)
        cursor.execute(f"""
            INSERT INTO visits_servicevisit ({columns})
            SELECT r.provider_id, 'CM' || r.n || '-' || r.k,
                   CASE WHEN r.corrected THEN 2 ELSE 1 END, true,
                   CASE WHEN r.corrected THEN '签退时间更正' ELSE '' END, r.elder_id,
                   r.agreement_id, r.caregiver_id, r.item_id,
                   (r.check_in_at AT TIME ZONE 'Asia/Shanghai')::date, r.check_in_at, 'card',
                   '', r.check_in_at + r.minutes * interval '1 minute', 'card', '', '', '', '',
                   'elder', '', r.units, r.price, round(r.units * r.price, 2), '{{}}', 'api',
                   r.check_in_at + r.minutes * interval '1 minute' + interval '1 hour', old.id
              FROM cm_row r
              LEFT JOIN visits_servicevisit old ON r.corrected AND NOT old.is_current
                   AND old.provider_id = r.provider_id
                   AND old.provider_visit_id = 'CM' || r.n || '-' || r.k
             ORDER BY r.check_in_at + r.minutes * interval '1 minute', r.n, r.k""")
        started = _step(f"{visits:,} visits (+ corrected versions)", started)

    # what autovacuum would do on a live system: statistics for the planner
    # and the visibility map
    with connection.cursor() as cursor:
        for table in ("visits_servicevisit", "elders_elder", "subsidies_entitlement",
                      "careplans_serviceplan", "careplans_serviceplanitem",
                      "careplans_serviceagreement", "careplans_agreementitem",
                      "evaluations_providergrade", "providers_staffmember",
                      "providers_provider", "contracts_contract", "contracts_contractitem"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    _step("vacuum analyze", started)

"""Demo visits: the demo provider's caregiver with a login of their own
(``caregiver``, linked to the roster), and last month's and this month's
visits for the demo agreements, submitted through the intake like any
provider's (channel "form", by the caregiver). Some
run beyond the plan's frequency and are flagged, so the elder's statement
shows a visit the elder pays. Safe to run twice: the same rows come out
unchanged."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.careplans.models import AgreementStatus, ServiceAgreement
from apps.providers.models import StaffMember
from apps.subsidies.rules import previous_month_start
from apps.visits import intake
from apps.visits.intake import VisitInput
from apps.visits.models import Channel, CheckMethod

CAREGIVER_USERNAME = "caregiver"
CAREGIVER_NAME = "陈志明"  # on the demo roster (apps.providers.demo)
MEALS_NAME = "罗晓燕"
NON_LOCAL_REASON = "非本市户籍，无社保卡"
NOTES = {"LC-HOME": "协助洗漱、清洁居室、陪同散步", "ML-CANTEEN": "长者饭堂午餐"}
# item code -> (weekdays served, start (hour, minute), minutes, stagger per elder)
SCHEDULE = {
    "LC-HOME": ({1, 3}, (14, 0), 90, 100),  # Tuesday and Thursday afternoons
    "ML-CANTEEN": ({0, 1, 2, 3, 4}, (11, 30), 15, 15),  # weekday lunch at the canteen
}


def link_demo_caregiver(provider):
    """Link the ``caregiver`` account to its roster entry; return the user
    (None when the account or the roster entry is missing)."""
    from apps.accounts.models import User

    user = User.objects.filter(username=CAREGIVER_USERNAME, provider=provider).first()
    member = StaffMember.objects.filter(provider=provider, name=CAREGIVER_NAME).first()
    if user is None or member is None:
        return None
    if member.user_id != user.pk:
        StaffMember.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    return user


def _moment(day: date, start: tuple[int, int], minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(*start))) + timedelta(minutes=minutes)


def _degrees(location: list[str], index: int) -> Decimal | None:
    try:
        return Decimal(location[index].strip()).quantize(Decimal("0.000001"))
    except (IndexError, ArithmeticError):
        return None


def demo_rows(provider, *, since: date, now: datetime) -> list[VisitInput]:
    """The rows of the demo agreements from ``since`` until ``now``: every
    scheduled day of each agreed item, staggered so no caregiver is in two
    homes at once."""
    staff = {member.name: member for member in StaffMember.objects.filter(
        provider=provider, name__in=[CAREGIVER_NAME, MEALS_NAME], active=True)}
    if CAREGIVER_NAME not in staff:
        return []
    agreements = (ServiceAgreement.objects.filter(provider=provider,
                                                  status=AgreementStatus.ACTIVE)
                  .select_related("elder").prefetch_related("items__service_item")
                  .order_by("pk"))
    rows = []
    for index, agreement in enumerate(agreements):
        elder = agreement.elder
        manual = not elder.local_hukou
        location = (elder.home_location or "").split(",")
        for item in agreement.items.all():
            code = item.service_item.code
            if code not in SCHEDULE:
                continue
            weekdays, start, minutes, stagger = SCHEDULE[code]
            caregiver = staff.get(MEALS_NAME if code == "ML-CANTEEN" else CAREGIVER_NAME,
                                  staff[CAREGIVER_NAME])
            day = max(since, agreement.starts_on)
            while day <= now.date():
                check_in = _moment(day, start, stagger * index)
                check_out = check_in + timedelta(minutes=minutes)
                # once a month an extra home visit the family asked for,
                # beyond the plan: flagged, and paid by the elder (Art 29)
                extra = code == "LC-HOME" and day.weekday() == 5 and day.day <= 7
                if (day.weekday() in weekdays or extra) and check_out < now and (
                        agreement.ends_on is None or day <= agreement.ends_on):
                    rows.append(VisitInput(
                        provider_visit_id=f"DEMO-{agreement.pk}-{code}-{day:%Y%m%d}",
                        service_item=code, caregiver=str(caregiver.pk), elder_pk=elder.pk,
                        check_in_at=check_in, check_out_at=check_out,
                        check_in_method=CheckMethod.MANUAL if manual else CheckMethod.CARD,
                        check_out_method=CheckMethod.MANUAL if manual else CheckMethod.CARD,
                        check_in_reason=NON_LOCAL_REASON if manual else "",
                        check_out_reason=NON_LOCAL_REASON if manual else "",
                        latitude=_degrees(location, 0), longitude=_degrees(location, 1),
                        notes=NOTES.get(code, ""),
                        confirmation="elder"))
                day += timedelta(days=1)
    return rows


def build_demo_visits(provider, *, now: datetime | None = None) -> list:
    """Link the demo caregiver and submit the demo visits from the phone
    form; returns the row results (all unchanged on a second run)."""
    user = link_demo_caregiver(provider)
    now = now or timezone.now()
    rows = demo_rows(provider, since=previous_month_start(timezone.localtime(now).date()),
                     now=now)
    if not rows:
        return []
    return intake.submit(provider, rows, channel=Channel.FORM, user=user)

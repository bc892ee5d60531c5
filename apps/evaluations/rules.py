"""The evaluation's policy over plain values (Art 23–25); no database.

Dates, in calendar days unless said otherwise:

- publication: always on the day it is done, never backdated (a date in
  the past would shorten the posting and the appeal window before anyone
  saw the result);
- posting: the result is posted publicly for ``evaluation.publication_days``
  calendar days, the day of publication counting as the first, so the last
  posting day is ``published_on + publication_days - 1`` (published on
  1 June: posted 1–10 June);
- appeal: "应在公示期结束后N个工作日内" sets a closing deadline, not an
  opening day: an appeal is accepted from the day of publication (during
  the posting too) through the end of the ``evaluation.appeal_working_days``-th
  working day after the last posting day (the working-day calendar,
  holidays and make-up days included);
- finality without an appeal: the result becomes final on the day after
  the window closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from apps.evaluations.models import EvaluationStatus, Grade

# status -> the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    EvaluationStatus.DRAFT: {EvaluationStatus.PUBLISHED},
    EvaluationStatus.PUBLISHED: {EvaluationStatus.APPEALED, EvaluationStatus.FINAL},
    EvaluationStatus.APPEALED: {EvaluationStatus.FINAL},
    EvaluationStatus.FINAL: set(),
}


def allowed_transition(current: str, target: str) -> bool:
    """Return whether an evaluation in ``current`` may move to ``target``."""
    return target in TRANSITIONS.get(current, set())


def grade_for(total: Decimal, bands: Iterable[tuple[str, Decimal]]) -> Grade:
    """Return the grade of ``total``: the band with the highest lowest total
    not above it. ``bands`` are (grade, lowest total) pairs."""
    for grade, lowest in sorted(bands, key=lambda band: band[1], reverse=True):
        if total >= lowest:
            return Grade(grade)
    return Grade.UNQUALIFIED


def score_problems(scores: Mapping[str, Decimal | None],
                   maxima: Mapping[str, Decimal]) -> dict[str, str]:
    """Check the points given per criterion code against the sheet's maxima.

    Returns criterion code -> problem: "missing", "negative", "above_maximum"
    or "unknown" (a code not on the sheet); empty when the sheet is complete.
    """
    problems: dict[str, str] = {}
    for code in maxima:
        points = scores.get(code)
        if points is None:
            problems[code] = "missing"
        elif points < 0:
            problems[code] = "negative"
        elif points > maxima[code]:
            problems[code] = "above_maximum"
    for code in scores:
        if code not in maxima:
            problems[code] = "unknown"
    return problems


def total_of(scores: Mapping[str, Decimal]) -> Decimal:
    """Return the sum of the points, to one decimal place."""
    return sum(scores.values(), start=Decimal("0.0")).quantize(Decimal("0.1"))


def last_posting_day(published_on: date, publication_days: int) -> date:
    """Return the last day of the public posting (publication day counts)."""
    return published_on + timedelta(days=publication_days - 1)


def appeal_opens(published_on: date) -> date:
    """Return the first day an appeal may be lodged: the day of publication
    (the measures set only the deadline, not an opening day)."""
    return published_on


def in_appeal_window(day: date, published_on: date, appeal_until: date) -> bool:
    """Return whether an appeal lodged on ``day`` is in time: from the day
    of publication through ``appeal_until``, both included."""
    return appeal_opens(published_on) <= day <= appeal_until


def final_without_appeal_on(appeal_until: date) -> date:
    """Return the day an unappealed result becomes final."""
    return appeal_until + timedelta(days=1)


def report_due(year: int, report_by_month: int) -> date:
    """Return the first day by which year ``year``'s results are late: they
    are reported to the city centre before ``report_by_month`` (May) of the
    following year (Art 23)."""
    return date(year + 1, report_by_month, 1)

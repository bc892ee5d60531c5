"""The evaluation's pure rules: grade bands, the sheet, the posting days."""

from datetime import date
from decimal import Decimal

import pytest

from apps.evaluations import rules
from apps.evaluations.models import EvaluationStatus, Grade

BANDS = [("excellent", Decimal(90)), ("good", Decimal(80)), ("qualified", Decimal(60)),
         ("unqualified", Decimal(0))]


@pytest.mark.parametrize(("total", "grade"), [
    ("0", Grade.UNQUALIFIED), ("59", Grade.UNQUALIFIED), ("59.9", Grade.UNQUALIFIED),
    ("60", Grade.QUALIFIED), ("79", Grade.QUALIFIED), ("79.9", Grade.QUALIFIED),
    ("80", Grade.GOOD), ("89", Grade.GOOD), ("89.9", Grade.GOOD),
    ("90", Grade.EXCELLENT), ("100", Grade.EXCELLENT),
])
def test_grade_bands(total, grade):
    assert rules.grade_for(Decimal(total), BANDS) == grade


def test_bands_are_read_in_any_order():
    assert rules.grade_for(Decimal(85), list(reversed(BANDS))) == Grade.GOOD


def test_score_problems_name_each_criterion():
    maxima = {"quality": Decimal(30), "staff": Decimal(20), "safety": Decimal(15)}
    problems = rules.score_problems(
        {"quality": Decimal("30.5"), "staff": Decimal(-1), "extra": Decimal(1)}, maxima)
    assert problems == {"quality": "above_maximum", "staff": "negative", "safety": "missing",
                        "extra": "unknown"}
    assert rules.score_problems({"quality": Decimal(30), "staff": Decimal(0),
                                 "safety": Decimal(15)}, maxima) == {}


def test_total_is_the_sum():
    assert rules.total_of({"a": Decimal("29.5"), "b": Decimal("20")}) == Decimal("49.5")


def test_posting_lasts_ten_calendar_days_counting_the_day_of_publication():
    assert rules.last_posting_day(date(2026, 6, 1), 10) == date(2026, 6, 10)
    assert rules.last_posting_day(date(2026, 2, 25), 10) == date(2026, 3, 6)


def test_appeal_window_runs_from_publication_to_the_deadline():
    # published 1 June, posted 1–10 June, deadline 19 June: "within N
    # working days after the posting ends" closes the window, it does not
    # open it
    published_on, appeal_until = date(2026, 6, 1), date(2026, 6, 19)
    assert rules.appeal_opens(published_on) == published_on
    assert not rules.in_appeal_window(date(2026, 5, 31), published_on, appeal_until)
    assert rules.in_appeal_window(date(2026, 6, 1), published_on, appeal_until)
    assert rules.in_appeal_window(date(2026, 6, 5), published_on, appeal_until)
    assert rules.in_appeal_window(date(2026, 6, 10), published_on, appeal_until)
    assert rules.in_appeal_window(date(2026, 6, 11), published_on, appeal_until)
    assert rules.in_appeal_window(date(2026, 6, 19), published_on, appeal_until)
    assert not rules.in_appeal_window(date(2026, 6, 20), published_on, appeal_until)
    assert rules.final_without_appeal_on(appeal_until) == date(2026, 6, 20)


def test_final_is_the_end_of_the_flow():
    assert rules.allowed_transition(EvaluationStatus.DRAFT, EvaluationStatus.PUBLISHED)
    assert rules.allowed_transition(EvaluationStatus.APPEALED, EvaluationStatus.FINAL)
    assert not rules.allowed_transition(EvaluationStatus.DRAFT, EvaluationStatus.FINAL)
    assert not rules.allowed_transition(EvaluationStatus.FINAL, EvaluationStatus.APPEALED)


def test_report_due_before_may_of_the_next_year():
    assert rules.report_due(2025, 5) == date(2026, 5, 1)

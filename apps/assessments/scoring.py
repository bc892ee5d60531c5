"""Scoring an ability assessment, as pure functions over an instrument given
as plain data (no database): the items and their options, the dimensions,
the grade bands and the grade-change rules (GB/T 42195-2022 Appendix C).

The server scores from the chosen option codes; a total sent by a client is
never used. The change rules follow ASSESSMENT.md §0.1, which is binding:
coma gives 完全失能 (item 1); a mental diagnosis and care-risk events raise
the grade by at most one level together (item 2); events are counted as the
sum over all types, "three or more" counting as three (item 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    code: str
    score: int
    label: str
    coma: bool = False  # choosing it is a finding of coma (B3_9 昏迷)


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str
    label: str
    options: tuple[Option, ...]

    @property
    def maximum(self) -> int:
        return max(option.score for option in self.options)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str


@dataclass(frozen=True)
class Band:
    """A grade and the totals that give it as the preliminary grade."""

    grade: str
    ordinal: int  # 0 = ability intact … higher = more impaired
    low: int
    high: int
    label: str = ""


@dataclass(frozen=True)
class ChangeRules:
    coma_grade: str = "complete"
    mental_raises: bool = True
    events_raise: bool = True
    events_threshold: int = 2
    event_count_cap: int = 3  # "three or more" counts as this many
    max_raise: int = 1  # the mental and event rules together


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    rules: ChangeRules = field(default_factory=ChangeRules)

    @property
    def maximum(self) -> int:
        return sum(item.maximum for item in self.items)

    def band_for_total(self, total: int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"no grade band holds a total of {total}")

    def band_for_ordinal(self, ordinal: int) -> Band:
        return next(b for b in self.bands if b.ordinal == ordinal)

    def band(self, grade: str) -> Band:
        return next(b for b in self.bands if b.grade == grade)


@dataclass(frozen=True)
class Findings:
    """Appendix A facts that can change the grade."""

    coma: bool = False  # A.5.11
    mental_diagnosis: bool = False  # A.4.1: dementia F00–F03 or F04–F99 by a specialist
    risk_events: Mapping[str, int] = field(default_factory=dict)  # A.2.14, last 30 days


@dataclass(frozen=True)
class Result:
    subtotals: dict[str, int]
    total: int
    preliminary: str
    final: str
    reasons: tuple[str, ...]  # codes of the change rules that fired


class InvalidAnswers(ValueError):
    """Answers that do not fit the instrument: item code -> problem code."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def check_answers(instrument: Instrument, answers: Mapping[str, str]) -> dict[str, Option]:
    """Return the chosen option of every item, or raise InvalidAnswers.

    Every item needs an answer; an answer must be one of the item's option
    codes; an answer to no item of the instrument is an error too.
    """
    errors: dict[str, str] = {}
    chosen: dict[str, Option] = {}
    for item in instrument.items:
        code = answers.get(item.code)
        if code is None or code == "":
            errors[item.code] = "missing"
            continue
        option = item.option(str(code))
        if option is None:
            errors[item.code] = "not_an_option"
        else:
            chosen[item.code] = option
    known = {item.code for item in instrument.items}
    for code in answers:
        if code not in known:
            errors[code] = "unknown_item"
    if errors:
        raise InvalidAnswers(errors)
    return chosen


def counted_events(findings: Findings, rules: ChangeRules) -> int:
    """Care-risk events of the last 30 days, summed over all types (§0.1 item 3)."""
    return sum(min(max(int(n), 0), rules.event_count_cap) for n in findings.risk_events.values())


def score(instrument: Instrument, answers: Mapping[str, str],
          findings: Findings | None = None) -> Result:
    """Score an assessment: subtotals, total, preliminary and final grade."""
    findings = findings or Findings()
    chosen = check_answers(instrument, answers)
    subtotals = {d.code: 0 for d in instrument.dimensions}
    for item in instrument.items:
        subtotals[item.dimension] += chosen[item.code].score
    total = sum(subtotals.values())
    preliminary = instrument.band_for_total(total)
    rules = instrument.rules
    coma = findings.coma or any(option.coma for option in chosen.values())
    if coma and rules.coma_grade:
        return Result(subtotals, total, preliminary.grade, rules.coma_grade, ("coma",))
    reasons = []
    if rules.mental_raises and findings.mental_diagnosis:
        reasons.append("mental_diagnosis")
    if rules.events_raise and counted_events(findings, rules) >= rules.events_threshold:
        reasons.append("risk_events")
    raise_by = min(len(reasons), rules.max_raise)
    worst = max(band.ordinal for band in instrument.bands)
    final = instrument.band_for_ordinal(min(preliminary.ordinal + raise_by, worst))
    return Result(subtotals, total, preliminary.grade, final.grade, tuple(reasons))


def problems(instrument: Instrument) -> list[str]:
    """What keeps a scored instrument from scoring every possible answer set.

    Checked before an instrument version is used: every item has options,
    every item's dimension exists, the bands cover 0 to the maximum total
    with no gap or overlap, and the coma grade is one of the bands.
    """
    found = []
    dimensions = {d.code for d in instrument.dimensions}
    for item in instrument.items:
        if not item.options:
            found.append(f"{item.code}: no options")
        if item.dimension not in dimensions:
            found.append(f"{item.code}: unknown dimension {item.dimension}")
    if not instrument.items:
        return [*found, "no items"]
    covered = [0] * (instrument.maximum + 1)
    for band in instrument.bands:
        for total in range(max(band.low, 0), min(band.high, instrument.maximum) + 1):
            covered[total] += 1
    gaps = [t for t, n in enumerate(covered) if n == 0]
    overlaps = [t for t, n in enumerate(covered) if n > 1]
    if gaps:
        found.append(f"totals without a grade: {gaps[0]}…{gaps[-1]}")
    if overlaps:
        found.append(f"totals in two grades: {overlaps[0]}…{overlaps[-1]}")
    grades = {band.grade for band in instrument.bands}
    if instrument.rules.coma_grade and instrument.rules.coma_grade not in grades:
        found.append(f"coma grade {instrument.rules.coma_grade} is not a grade")
    return found

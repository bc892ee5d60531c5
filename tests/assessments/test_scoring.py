"""GB/T 42195-2022 scoring without a database: properties over random
answers, and hand-computed assessments at every grade boundary and for each
change rule as ASSESSMENT.md §0.1 decides."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.assessments.scoring import Findings, InvalidAnswers, score
from apps.assessments.standards import gbt_42195

GBT = gbt_42195()
CODES = [item.code for item in GBT.items]
MAXIMA = [4] * 8 + [4, 4, 4, 3] + [4, 4, 4, 4, 4, 4, 1, 1, 2] + [2, 2, 4, 3, 4]


def answers(*scores):
    """Answers from scores in the form's order B1_1 … B4_5 (26 of them)."""
    assert len(scores) == 26
    return {code: str(s) for code, s in zip(CODES, scores, strict=True)}


def with_(base, **changed):
    result = dict(base)
    result.update(changed)
    return result


FULL = answers(*MAXIMA)
B1_FULL, B2_FULL = [4] * 8, [4, 4, 4, 3]
NO_B3, NO_B4 = [0] * 9, [0] * 5

answers_strategy = st.fixed_dictionaries(
    {item.code: st.sampled_from([o.code for o in item.options]) for item in GBT.items})
findings_strategy = st.builds(
    Findings, coma=st.booleans(), mental_diagnosis=st.booleans(),
    risk_events=st.dictionaries(st.sampled_from(["fall", "choking", "self_harm", "wandering",
                                                 "other"]), st.integers(0, 3)))
ORDINAL = {band.grade: band.ordinal for band in GBT.bands}


def test_the_instrument_has_the_standard_s_shape():
    assert (len(GBT.items), GBT.maximum) == (26, 90)
    assert [item.maximum for item in GBT.items] == MAXIMA


@given(answers_strategy)
def test_total_is_the_sum_of_the_items(chosen):
    result = score(GBT, chosen)
    by_item = {item.code: item.option(chosen[item.code]).score for item in GBT.items}
    assert result.total == sum(by_item.values()) == sum(result.subtotals.values())
    for dimension, subtotal in result.subtotals.items():
        assert subtotal == sum(s for code, s in by_item.items() if code.startswith(dimension))
    assert 0 <= result.total <= 90


@given(st.integers(0, 90), st.integers(0, 90))
def test_preliminary_grade_is_monotone_in_the_total(a, b):
    low, high = sorted((a, b))
    assert GBT.band_for_total(low).ordinal >= GBT.band_for_total(high).ordinal


@given(answers_strategy, findings_strategy)
def test_change_rules_raise_at_most_one_level_and_coma_gives_complete(chosen, findings):
    result = score(GBT, chosen, findings)
    preliminary, final = ORDINAL[result.preliminary], ORDINAL[result.final]
    coma = findings.coma or chosen["B3_9"] == "coma"
    if coma:
        assert (result.final, result.reasons) == ("complete", ("coma",))
        return
    events = sum(findings.risk_events.values())
    fires = findings.mental_diagnosis or events >= 2
    assert final == (min(preliminary + 1, 4) if fires else preliminary)
    assert set(result.reasons) == ({"mental_diagnosis"} if findings.mental_diagnosis else set()
                                   ) | ({"risk_events"} if events >= 2 else set())


@given(answers_strategy)
def test_without_findings_the_final_grade_is_the_preliminary_one(chosen):
    if chosen["B3_9"] == "coma":
        return
    result = score(GBT, chosen)
    assert result.final == result.preliminary


@pytest.mark.parametrize("item", GBT.items, ids=lambda item: item.code)
def test_every_item_rejects_answers_outside_its_options(item):
    top = item.maximum
    for bad in (str(top + 1), "-1", "5", "x", "4.0"):
        if item.option(bad) is not None:
            continue
        with pytest.raises(InvalidAnswers) as error:
            score(GBT, with_(FULL, **{item.code: bad}))
        assert error.value.errors == {item.code: "not_an_option"}
    missing = {code: value for code, value in FULL.items() if code != item.code}
    with pytest.raises(InvalidAnswers) as error:
        score(GBT, missing)
    assert error.value.errors == {item.code: "missing"}


def test_an_answer_to_no_item_is_refused():
    with pytest.raises(InvalidAnswers) as error:
        score(GBT, with_(FULL, B9_9="4"))
    assert error.value.errors == {"B9_9": "unknown_item"}


# Hand-computed assessments. Scores in order: B1 (8 items), B2 (4), B3 (9), B4 (5).
GOLDEN = [
    # id, scores, findings, total, subtotals, preliminary, final
    ("90 all full", MAXIMA, Findings(), 90, (32, 15, 28, 15), "intact", "intact"),
    ("89 one point lost", [*B1_FULL, *B2_FULL, 4, 4, 4, 4, 4, 4, 0, 1, 2, 2, 2, 4, 3, 4],
     Findings(), 89, (32, 15, 27, 15), "mild", "mild"),
    # 32 + 15 + (4+4+4+4+1+0+1+1+0 = 19) + 0 = 66
    ("66 mild floor", [*B1_FULL, *B2_FULL, 4, 4, 4, 4, 1, 0, 1, 1, 0, *NO_B4],
     Findings(), 66, (32, 15, 19, 0), "mild", "mild"),
    ("65 moderate top", [*B1_FULL, *B2_FULL, 4, 4, 4, 4, 0, 0, 1, 1, 0, *NO_B4],
     Findings(), 65, (32, 15, 18, 0), "moderate", "moderate"),
    # (4*7 + 2 = 30) + 15 + 1 + 0 = 46
    ("46 moderate floor", [4, 4, 4, 4, 4, 4, 4, 2, *B2_FULL, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                           *NO_B4], Findings(), 46, (30, 15, 1, 0), "moderate", "moderate"),
    ("45 severe top", [4, 4, 4, 4, 4, 4, 4, 1, *B2_FULL, 0, 0, 0, 0, 0, 0, 1, 0, 0, *NO_B4],
     Findings(), 45, (29, 15, 1, 0), "severe", "severe"),
    ("30 severe floor", [4, 4, 4, 4, 4, 4, 4, 2, 0, 0, 0, 0, *NO_B3, *NO_B4],
     Findings(), 30, (30, 0, 0, 0), "severe", "severe"),
    ("29 complete top", [4, 4, 4, 4, 4, 4, 4, 1, 0, 0, 0, 0, *NO_B3, *NO_B4],
     Findings(), 29, (29, 0, 0, 0), "complete", "complete"),
    ("coma recorded in A.5.11 at 90", MAXIMA, Findings(coma=True), 90, (32, 15, 28, 15),
     "intact", "complete"),
    ("dementia raises mild 66 to moderate",
     [*B1_FULL, *B2_FULL, 4, 4, 4, 4, 1, 0, 1, 1, 0, *NO_B4], Findings(mental_diagnosis=True),
     66, (32, 15, 19, 0), "mild", "moderate"),
    ("a fall and a choking raise moderate 46 to severe",
     [4, 4, 4, 4, 4, 4, 4, 2, *B2_FULL, 0, 0, 0, 0, 0, 0, 1, 0, 0, *NO_B4],
     Findings(risk_events={"fall": 1, "choking": 1}), 46, (30, 15, 1, 0), "moderate",
     "severe"),
    ("one fall changes nothing", MAXIMA, Findings(risk_events={"fall": 1}), 90,
     (32, 15, 28, 15), "intact", "intact"),
    ("three or more falls count, intact to mild", MAXIMA, Findings(risk_events={"fall": 3}),
     90, (32, 15, 28, 15), "intact", "mild"),
    ("dementia and events together: one level only, 65 moderate to severe",
     [*B1_FULL, *B2_FULL, 4, 4, 4, 4, 0, 0, 1, 1, 0, *NO_B4],
     Findings(mental_diagnosis=True, risk_events={"wandering": 2}), 65, (32, 15, 18, 0),
     "moderate", "severe"),
    ("complete stays complete under dementia and events",
     [4, 4, 4, 4, 4, 4, 4, 1, 0, 0, 0, 0, *NO_B3, *NO_B4],
     Findings(mental_diagnosis=True, risk_events={"fall": 2}), 29, (29, 0, 0, 0),
     "complete", "complete"),
]


@pytest.mark.parametrize(("case", "scores", "findings", "total", "subtotals", "preliminary",
                          "final"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_hand_computed_assessments(case, scores, findings, total, subtotals, preliminary,
                                   final):
    result = score(GBT, answers(*scores), findings)
    assert result.total == total
    assert tuple(result.subtotals.values()) == subtotals
    assert (result.preliminary, result.final) == (preliminary, final)


def test_coma_chosen_in_b3_9_gives_complete_whatever_the_total():
    result = score(GBT, with_(FULL, B3_9="coma"))
    # 90 - 2 for the consciousness item: preliminary mild, final complete
    assert (result.total, result.preliminary, result.final, result.reasons) == (
        88, "mild", "complete", ("coma",))

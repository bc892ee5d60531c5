"""Instruments are data: the seeded GB/T 42195-2022 rows score exactly as the
standard does, map grades to care-need levels, and a new version added as
data is scored without a code change."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from apps.accounts.roles import Role
from apps.assessments import scoring
from apps.assessments.models import Instrument
from apps.assessments.standards import gbt_42195
from tests.factories import staff

pytestmark = pytest.mark.django_db


def _default():
    return Instrument.objects.with_parts().get(is_default=True)


def test_the_seeded_default_is_the_standard():
    instrument = _default()
    assert (instrument.code, instrument.kind) == ("GB/T 42195-2022", "items")
    assert instrument.as_scoring() == gbt_42195()
    assert scoring.problems(instrument.as_scoring()) == []


@pytest.mark.parametrize(
    ("code", "grade", "care_level"),
    [("GB/T 42195-2022", "intact", "none"), ("GB/T 42195-2022", "mild", "mild"),
     ("GB/T 42195-2022", "moderate", "moderate"), ("GB/T 42195-2022", "severe", "severe"),
     # §0.1 item 4 and 6: 完全失能 counts as 重度 for the nursing supplement
     ("GB/T 42195-2022", "complete", "severe"),
     ("Barthel", "slight", "mild"), ("Barthel", "severe", "severe"),
     ("LTC-2021", "0", "none"), ("LTC-2021", "3", "severe"), ("LTC-2021", "5", "severe")],
)
def test_grades_map_to_care_need_levels(code, grade, care_level):
    instrument = Instrument.objects.with_parts().get(code=code)
    assert instrument.care_level_for(grade) == care_level


def test_only_one_instrument_is_the_default():
    other = Instrument.objects.get(code="Barthel")
    other.is_default = True
    with pytest.raises(IntegrityError):
        other.save()


def test_a_new_version_added_as_data_scores_without_a_code_change():
    # given a revision that lowers the mild band's floor to 60 and lets the
    # mental-diagnosis and event rules stack
    old = _default()
    new = Instrument.objects.create(
        code=old.code, version="2030", name=old.name, kind="items", coma_grade="complete",
        mental_diagnosis_raises=True, risk_events_raise=True, max_raise=2)
    dimensions = {d.code: new.dimensions.create(code=d.code, label=d.label, order=d.order)
                  for d in old.dimensions.all()}
    for item in old.items.all():
        copy = new.items.create(code=item.code, label=item.label, order=item.order,
                                dimension=dimensions[item.dimension.code])
        for option in item.options.all():
            copy.options.create(code=option.code, score=option.score, label=option.label,
                                is_coma=option.is_coma, order=option.order)
    for band in old.bands.all():
        low, high = band.low, band.high
        if band.grade == "mild":
            low = 60
        if band.grade == "moderate":
            high = 59
        new.bands.create(grade=band.grade, ordinal=band.ordinal, low=low, high=high,
                         label=band.label)
    revised = Instrument.objects.with_parts().get(pk=new.pk).as_scoring()
    # when an assessment totalling 62 with dementia and two falls is scored
    scores = [4] * 8 + [4, 4, 4, 3] + [4, 4, 4, 4, 0, 0, 1, 1, 0] + [0, 0, 0, 0, 0]
    # 32 + 15 + 18 = 65; take 3 more from the first items: 62
    scores[0], scores[1], scores[2] = 3, 3, 3
    answers = {item.code: str(s) for item, s in zip(revised.items, scores, strict=True)}
    findings = scoring.Findings(mental_diagnosis=True, risk_events={"fall": 2})
    result = scoring.score(revised, answers, findings)
    standard = scoring.score(old.as_scoring(), answers, findings)
    # then each version keeps its own rules
    assert (result.total, result.preliminary, result.final) == (62, "mild", "severe")
    assert (standard.total, standard.preliminary, standard.final) == (62, "moderate", "severe")
    assert scoring.problems(revised) == []


def test_a_version_with_a_gap_in_its_bands_is_reported():
    instrument = gbt_42195()
    broken = scoring.Instrument(
        instrument.code, "x", instrument.dimensions, instrument.items,
        tuple(b for b in instrument.bands if b.grade != "severe"), instrument.rules)
    assert scoring.problems(broken) == ["totals without a grade: 30…45"]


def test_administrators_see_instruments_in_admin(client, tree):
    admin = staff(Role.ADMINISTRATOR, region=tree["district"].parent)
    client.force_login(admin)
    listing = client.get(reverse("admin:assessments_instrument_changelist"))
    page = client.get(reverse("admin:assessments_instrument_change", args=[_default().pk]))
    assert listing.status_code == page.status_code == 200
    assert "老年人能力评估规范" in listing.content.decode()

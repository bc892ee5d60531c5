import csv
from pathlib import Path

import pytest

from apps.regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_guangzhou_tree_is_seeded_with_official_codes():
    districts = Region.objects.filter(kind=RegionKind.DISTRICT, is_demo=False)
    streets = Region.objects.filter(kind=RegionKind.STREET, is_demo=False)
    assert districts.count() == 11
    assert streets.count() == 178
    tianhe = Region.objects.get(code="440106")
    assert tianhe.name == "天河区"
    assert tianhe.path == "/440100/440106/"
    assert all(s.path.startswith(s.parent.path) for s in streets.select_related("parent"))


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ data folder not beside the repo")
def test_seed_matches_the_statistics_bureau_list():
    rows = {r["code"]: (r["name"], r["district_code"])
            for r in csv.DictReader((SHARED / "guangzhou-streets.csv").open(encoding="utf-8"))}
    seeded = {r.code: (r.name, r.parent.code)
              for r in Region.objects.filter(kind=RegionKind.STREET).select_related("parent")}
    assert seeded == rows


def test_subtree_scoping_is_one_prefix(tree):
    visible = Region.objects.filter(path__startswith=tree["district"].path)
    assert set(visible) == {tree["district"], tree["street"], tree["sibling"]}

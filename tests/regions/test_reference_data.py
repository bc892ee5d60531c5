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


def test_district_staff_see_their_subtree_and_nothing_sideways(tree, district_user):
    assert set(Region.objects.visible_to(district_user)) == {
        tree["district"], tree["street"], tree["sibling"]}


def test_street_staff_see_only_their_street(tree, street_user):
    assert set(Region.objects.visible_to(street_user)) == {tree["street"]}


def test_codes_cannot_break_the_path(tree):
    from django.core.exceptions import ValidationError

    bad = Region(code="a/b", name="x", kind=RegionKind.COMMUNITY, parent=tree["street"])
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert error.value.error_dict["code"][0].code == "bad_code"


def test_there_is_one_root(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="999999", name="Another city", kind=RegionKind.CITY)


def test_a_level_must_sit_under_the_level_above(tree):
    from django.core.exceptions import ValidationError

    wrong = Region(code="T9", name="x", kind=RegionKind.COMMUNITY, parent=tree["district"])
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert error.value.error_dict["parent"][0].code == "wrong_parent_level"


def test_offices_add_communities_only_under_their_streets(client, tree, district_user):
    client.force_login(district_user)
    form = client.get("/admin/regions/region/add/").content.decode()
    assert 'value="community"' in form
    assert 'value="district"' not in form
    response = client.post("/admin/regions/region/add/", {
        "code": "DEMO-X-01", "name": "新社区", "kind": "community",
        "parent": tree["other_street"].pk,
    })
    assert response.status_code == 200  # refused: the parent is out of scope
    assert not Region.objects.filter(code="DEMO-X-01").exists()
    client.post("/admin/regions/region/add/", {
        "code": "DEMO-X-02", "name": "新社区", "kind": "community", "parent": tree["street"].pk,
    })
    assert Region.objects.get(code="DEMO-X-02").path == f"{tree['street'].path}DEMO-X-02/"

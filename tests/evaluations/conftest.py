import importlib

import pytest


@pytest.fixture(autouse=True)
def score_sheet(request):
    """The default score sheet and grade bands (seeded by a migration; a
    transactional test elsewhere may have flushed them). Tests without the
    database (the rules) skip this."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from django.apps import apps

    importlib.import_module("apps.evaluations.migrations.0004_seed_sheet").seed(apps, None)

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English source messages (the default language is Chinese)."""
    with translation.override("en"):
        yield

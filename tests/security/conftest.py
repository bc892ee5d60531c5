# The browser test here runs like those of tests/browser: the same Chromium,
# locale and seed data reloaded after a live-server test flushes the tables.
from tests.browser.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    pytest_collection_modifyitems,
    reference_data,
)

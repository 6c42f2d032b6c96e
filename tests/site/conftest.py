"""Fixtures of the browser tests: the built site, served, and one Chromium per test module."""
import pytest

from helpers.browser import SITE, chromium, serve


@pytest.fixture(scope="module")
def site():
    return SITE


@pytest.fixture(scope="module")
def site_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    # Module scope: while Playwright's sync API is active, this thread has a
    # running asyncio loop, which other tests' asyncio code must not meet.
    with chromium() as browser:
        yield browser

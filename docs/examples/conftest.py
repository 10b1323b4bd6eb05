import pytest


@pytest.fixture(scope="module")
def runreplay_config():
    return {
        "match_on": ["method", "path", "query", "body"],  # ignore scheme, host and port
        "filter_headers": ["x-tenant-id"],  # redacted in addition to the defaults
    }

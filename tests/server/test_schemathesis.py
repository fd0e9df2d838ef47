"""The API's own OpenAPI document, exercised by schemathesis: no server errors, every answer as documented."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend_architect.server.app import create_app
from backend_architect.server.auth import parse_keys
from backend_architect.server.store import Store

KEY = "schemathesis-key-000001"
_STORE = Store(f"sqlite:///{Path(tempfile.mkdtemp(prefix='ba-api-')) / 'api.db'}")
APP = create_app(_STORE, parse_keys(f"fuzz:{KEY}:read+write"), rate_per_minute=100_000)
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_ok(case: schemathesis.Case) -> None:
    """Generated requests (authorised) never get a 5xx, and each response matches its documented status, media type and schema.

    Schema-valid requests may still be refused by meaning (an opaque cursor the API never gave
    out: 400; a document that is not OpenAPI: 422), as documented, so the positive-acceptance
    check is left out; every other default check runs.
    """
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, excluded_checks=[positive_data_acceptance])

"""False positives found on public API descriptions, each as the shape it had there, and the findings that must stay."""

from __future__ import annotations

import pytest

from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api.errors import missing_error_responses
from backend_architect.rules.api.methods import create_not_201
from backend_architect.rules.api.paths import singular_collection, verb_in_path
from backend_architect.rules.api.security import missing_auth_errors
from backend_architect.rules.api.system import inconsistent_conventions, resource_owned_twice
from backend_architect.rules.api.versioning import missing_version
from backend_architect.rules.model import Rule
from backend_architect.rules.registry import review
from backend_architect.spec.naming import kebab, plural


def _document(paths: list[str], servers: str = "https://api.example.com/v1", method: str = "get", title: str = "T") -> str:
    items = "".join(f"  '{p}':\n    {method}: {{responses: {{'201': {{description: ok}}}}}}\n" for p in paths)
    return f"openapi: 3.0.3\ninfo: {{title: {title}, version: '1'}}\nservers: [{{url: '{servers}'}}]\npaths:\n{items}"


def _findings(rule: Rule, *documents: str) -> list[str]:
    arch = Architecture(system="t", contracts=[import_openapi_text(d, f"api{i}.yaml") for i, d in enumerate(documents)])
    return [f.message for f in review(arch, (rule,))]


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        pytest.param("/2010-04-01/Accounts/{AccountSid}/Recordings/{ReferenceSid}/AddOnResults.json", False, id="twilio-AddOnResults"),
        pytest.param("/v2/add-ons/saas/{resource_uuid}", False, id="digitalocean-add-ons"),
        pytest.param("/status_pages/{id}/posts/{post_id}/post_updates", False, id="pagerduty-post_updates"),
        pytest.param("/v1/setup-intents", False, id="no-verb"),
        pytest.param("/v1/getPets", True, id="camel-get"),
        pytest.param("/v1/pets/delete", True, id="verb-alone"),
        pytest.param("/v1/tax/transactions/create_reversal", True, id="stripe-create_reversal"),
        pytest.param("/v1/test_helpers/treasury/outbound_payments/{id}/post", True, id="noun-verb-alone"),
        pytest.param("/paypal/updateOrder", True, id="adyen-updateOrder"),
    ],
)
def test_verb_in_path_reads_words_not_prefixes_err(path: str, fires: bool) -> None:
    """A CRUD verb is an action only as a word: not the start of a noun (add-on) nor a noun that is also a verb (post) before more words."""
    assert bool(_findings(verb_in_path, _document([path]))) is fires


@pytest.mark.parametrize(
    ("server", "fires"),
    [
        pytest.param("https://api.box.com/2.0", False, id="box-dotted-number"),
        pytest.param("https://api.example.com/v1beta1", False, id="pre-release"),
        pytest.param("https://v2.api.example.com", False, id="host-label"),
        pytest.param("https://api.example.com/{version}", False, id="server-variable"),
        pytest.param("https://api.example.com", True, id="none"),
        pytest.param("https://api.example.com/2", True, id="bare-number"),
    ],
)
def test_version_in_server_url_forms_ok(server: str, fires: bool) -> None:
    """Versions written as Box, Google and server variables write them count; a bare number does not."""
    document = _document(["/pets"], server).replace(f"[{{url: '{server}'}}]", f"[{{url: '{server}', variables: {{version: {{default: v1}}}}}}]")
    assert bool(_findings(missing_version, document)) is fires


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        pytest.param("/enrichment/integrations/servicenow/{integration_id}", False, id="vendor-qualifier"),
        pytest.param("/integration_mappings/slack/{integration_mapping_id}", False, id="vendor-after-plural"),
        pytest.param("/repos/{owner}/{repo}/tarball/{ref}", False, id="format-selector"),
        pytest.param("/v1/accounts/{account}/people/{person}", False, id="irregular-plural"),
        pytest.param("/codes_of_conduct/{key}", False, id="plural-head-before-of"),
        pytest.param("/v2/registry/{registry_name}", True, id="singular"),
        pytest.param("/v1/pet/{id}", True, id="singular-generic-id"),
        pytest.param("/v1/MessagingService/{MessagingServiceSid}", True, id="pascal-singular"),
    ],
)
def test_singular_collection_needs_an_item_of_it_err(path: str, fires: bool) -> None:
    """A segment holds items when the parameter names one of them; qualifiers of a plural collection and selectors do not."""
    assert bool(_findings(singular_collection, _document([path]))) is fires


@pytest.mark.parametrize("entity", ["Person", "Child", "Criterion", "Analysis", "Category", "Status", "Address", "Box", "OrderLine", "Medium"])
def test_designer_plurals_are_plural_to_the_reviewer_ok(entity: str) -> None:
    """The designer's collection names (one noun library for both) are never singular to its own reviewer."""
    collection = plural(kebab(entity))
    assert not _findings(singular_collection, _document([f"/v1/{collection}/{{id}}"]))


def test_resource_owned_twice_compares_whole_paths_ok() -> None:
    """/accounts/{id}/users and /users are two collections; the same path in two services is one, created twice."""
    nested = _document(["/v1/accounts/{account_id}/users"], method="post", title="A")
    top = _document(["/v1/users"], method="post", title="B")
    assert not _findings(resource_owned_twice, nested, top)
    assert _findings(resource_owned_twice, top, _document(["/v2/users"], method="post", title="C")) == [
        "'user' is also created by api1.yaml",
        "'user' is also created by api0.yaml",
    ]


def test_unrelated_organisations_are_not_one_system_ok() -> None:
    """Descriptions of two vendors reviewed together are not compared: neither their resources nor their conventions."""
    box = _document(["/users"], "https://api.box.com/2.0", method="post", title="Box")
    ocean = _document(["/v2/users"], "https://api.digitalocean.com", method="post", title="DO")
    assert not _findings(resource_owned_twice, box, ocean)
    assert not _findings(inconsistent_conventions, box, ocean)


SECURED_ONLY_SUCCESS = """\
openapi: 3.0.3
info: {title: T, version: '1'}
servers: [{url: 'https://api.example.com/v1'}]
security: [{bearer: []}]
components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
paths:
  /pets:
    get: {responses: {'200': {description: ok}}}
"""


def test_missing_errors_reported_once_with_the_401_err() -> None:
    """An operation with no error response gets one finding that names the missing 401, not one per rule."""
    [message] = _findings(missing_error_responses, SECURED_ONLY_SUCCESS)
    assert message == "no 4xx, 5xx or default response is declared (it requires authentication: not even 401)"
    assert not _findings(missing_auth_errors, SECURED_ONLY_SUCCESS)
    with_404 = SECURED_ONLY_SUCCESS.replace("{'200': {description: ok}}", "{'200': {description: ok}, '404': {description: no}}")
    assert _findings(missing_auth_errors, with_404) == ["requires authentication but declares no 401"]


@pytest.mark.parametrize(
    ("summary", "fires"),
    [
        pytest.param("Get a list of donation campaigns.", False, id="adyen-read-by-post"),
        pytest.param("Search orders", False, id="search"),
        pytest.param("Create a donation campaign", True, id="create"),
    ],
)
def test_post_that_says_it_reads_is_no_create_err(summary: str, fires: bool) -> None:
    """A POST to a plural collection whose own summary says it reads is a query, not a create: it owes no 201."""
    document = _document(["/v1/donationCampaigns"], method="post").replace("{responses: {'201'", f"{{summary: '{summary}', responses: {{'200'")
    assert bool(_findings(create_not_201, document)) is fires

"""Schemathesis hooks for the contract run (loaded through the `hooks` key of the generated config).

`/webhook`'s query and form parameters have two rules across parameters that OpenAPI cannot state
for parameters (its description states them, and the server refuses a request that breaks them with
422):

- a request without `track` is a set request: it must name the visitor it enriches (here by
  `externalId`) and carries no value, currency, eventId or consent;
- a value needs its currency.

So each positive case schemathesis generates for `/webhook` is completed to keep both rules.

An export (`GET /admin/api/containers/{id}/subjects`) names the person by exactly one of its
optional query parameters; a positive case keeps the first one given, or names a person by email.

The explorer (`GET /admin/api/containers/{id}/explain`) searches by exactly one of `event_id`,
`click_id` and `email`, not blank, the email an address; a positive case keeps the first one
given (an email made a real address, a blank value made an order id), or searches by order id.

Negative cases are left exactly as generated, and nothing else is touched.
"""

import schemathesis
from schemathesis.generation import GenerationMode

# The visitor a set request names; no visitor has it, so the request is acknowledged unmatched.
EXTERNAL_ID = "contract-customer-1"
EVENT_ONLY = {"value", "currency", "eventid", "consent"}


def squash(name):
    """A parameter name as the server compares names: lower case, without `_` and `-`."""
    return name.replace("_", "").replace("-", "").lower()


def given(params, name):
    """The value of the parameter `name` in any spelling, or None when absent, null or blank."""
    for key, value in params.items():
        if squash(key.split("[", 1)[0]) == name:
            if value is None or (isinstance(value, str) and value.strip() == ""):
                return None
            return value
    return None


def drop(params, names):
    for key in [k for k in params if squash(k.split("[", 1)[0]) in names]:
        del params[key]


SUBJECT_FIELDS = ["visitor_id", "email", "phone", "external_id"]


def one_subject(case):
    query = case.query if isinstance(case.query, dict) else {}
    given_fields = [f for f in SUBJECT_FIELDS if query.get(f) is not None]
    keep = given_fields[0] if given_fields else None
    for field in SUBJECT_FIELDS:
        if field != keep:
            query.pop(field, None)
    if keep is None:
        query["email"] = "contract-person@example.com"
    case.query = query
    return case


EXPLAIN_FIELDS = ["event_id", "click_id", "email"]


def one_search(case):
    query = case.query if isinstance(case.query, dict) else {}
    given_fields = [f for f in EXPLAIN_FIELDS if query.get(f) is not None]
    keep = given_fields[0] if given_fields else "event_id"
    for field in EXPLAIN_FIELDS:
        if field != keep:
            query.pop(field, None)
    value = query.get(keep)
    if keep == "email":
        query["email"] = "contract-person@example.com"
    elif not isinstance(value, str) or value.strip() == "":
        query[keep] = "contract-order-1"
    case.query = query
    return case


@schemathesis.hook
def map_case(context, case):
    operation = case.operation
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if operation.path == "/admin/api/containers/{id}/subjects":
        return one_subject(case)
    if operation.path == "/admin/api/containers/{id}/explain":
        return one_search(case)
    if operation.path != "/webhook":
        return case
    params = case.query if operation.method.upper() == "GET" else case.body
    if not isinstance(params, dict):
        return case
    if given(params, "track") is None:
        drop(params, EVENT_ONLY | {"externalid", "track"})
        params["externalId"] = EXTERNAL_ID
    elif given(params, "value") is not None and given(params, "currency") is None:
        drop(params, {"currency"})
        params["currency"] = "EUR"
    return case

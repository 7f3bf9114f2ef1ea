"""Schemathesis hooks for the contract run (loaded through the `hooks` key of the generated config).

`/webhook`'s query and form parameters have two rules across parameters that OpenAPI cannot state
for parameters (its description states them, and the server refuses a request that breaks them with
422):

- a request without `track` is a set request: it must name the visitor it enriches (here by
  `externalId`) and carries no value, currency, eventId or consent;
- a value needs its currency.

So each positive case schemathesis generates for `/webhook` is completed to keep both rules.
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


@schemathesis.hook
def map_case(context, case):
    operation = case.operation
    if operation.path != "/webhook" or case.meta is None:
        return case
    if case.meta.generation.mode != GenerationMode.POSITIVE:
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

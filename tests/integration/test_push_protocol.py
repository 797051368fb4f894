"""The JSON Push protocol and bad input at POST /receiver/<type> (reference/sesam.md §2), over real sockets.

Bad input changes nothing: the fuzz test checks the sandbox's write counter, not just our status code.
"""
from __future__ import annotations

import json
from base64 import b64encode

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.settings import Secret
from tests.integration.conftest import Service, Woo, push, total_writes, woo_settings


def full(service: Service, request_id: str, entities=(), **params):
    return push(service.url, "customer", list(entities), sequence_id="seq-1", is_full="true",
                request_id=request_id, **params)


def test_a_full_sync_in_sequence_is_accepted_with_its_final_empty_batch(woo: Woo, service: Service):
    assert full(service, "1", [{"_id": "a", "sesam_origin": "x:a", "email": "a@example.test"}],
                is_first="true").status_code == 200
    assert full(service, "2", [{"_id": "b", "sesam_origin": "x:b", "email": "b@example.test"}],
                previous_request_id="1").status_code == 200
    last = full(service, "3", [], previous_request_id="2", is_last="true")
    assert last.status_code == 200 and last.json()["created"] == 0


def test_out_of_sequence_full_sync_requests_are_409(woo: Woo, service: Service):
    before = total_writes(woo)
    assert full(service, "1", is_first="true").status_code == 200
    wrong_previous = full(service, "3", [{"_id": "z", "email": "z@example.test"}], previous_request_id="2")
    assert wrong_previous.status_code == 409 and wrong_previous.json()["error"] == "SequenceConflict"
    assert full(service, "1", is_first="true").status_code == 200, "the same request again: a batch retry"
    assert full(service, "2", previous_request_id="1").status_code == 200
    assert full(service, "1", is_first="true").status_code == 409, "is_first on a sequence under way"
    switched = push(service.url, "customer", [], sequence_id="seq-1", is_full="false", request_id="3")
    assert switched.status_code == 409, "is_full changed within the sequence"
    unknown = push(service.url, "customer", [], sequence_id="seq-9", is_full="true", request_id="3",
                   previous_request_id="2")
    assert unknown.status_code == 409
    assert total_writes(woo) == before, "a conflicting request writes nothing"


def test_two_full_syncs_to_one_type_keep_their_own_sequences(woo: Woo, service: Service):
    """Two pipes pushing full syncs to one receiver used to knock each other out (issue 11, item 3)."""
    def request(sequence: str, request_id: str, **params):
        return push(service.url, "customer", [], sequence_id=sequence, is_full="true", request_id=request_id,
                    **params)
    assert request("pipe-a", "1", is_first="true").status_code == 200
    assert request("pipe-b", "1", is_first="true").status_code == 200
    assert request("pipe-a", "2", previous_request_id="1").status_code == 200
    assert request("pipe-b", "2", previous_request_id="1").status_code == 200
    assert request("pipe-a", "3", previous_request_id="2", is_last="true").status_code == 200
    assert request("pipe-b", "3", previous_request_id="2", is_last="true").status_code == 200


def test_the_last_request_replayed_after_a_lost_answer_is_accepted(woo: Woo, service: Service):
    """A 503 or a dropped connection on `is_last` makes Sesam send it again; refusing it with 409 ("400-428: no
    retries") would leave that batch unwritten for good."""
    assert full(service, "1", is_first="true").status_code == 200
    entity = [{"_id": "z", "sesam_origin": "x:z", "email": "z@example.test"}]
    assert full(service, "2", entity, previous_request_id="1", is_last="true").status_code == 200
    replay = full(service, "2", entity, previous_request_id="1", is_last="true")
    assert replay.status_code == 200, replay.text
    assert full(service, "3", previous_request_id="2").status_code == 409, "but the sequence has ended"


def test_incremental_requests_ignore_sequence_parameters(woo: Woo, service: Service):
    answer = push(service.url, "customer", [], sequence_id="whatever", request_id="7", previous_request_id="1")
    assert answer.status_code == 200


def test_bad_batches_say_exactly_what_is_wrong_and_write_nothing(woo: Woo, service: Service):
    before = total_writes(woo)
    not_json = requests.post(f"{service.url}/receiver/product", data=b"{oops",
                             headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["message"]
    problems = push(service.url, "product", [{"_id": "ok", "name": "fine"}, {"name": "no id"},
                                             {"_id": 5}, {"_id": "x", "_deleted": "yes"}, "text"]).json()
    assert [p.split(":")[0] for p in problems["problems"]] == ["[1]", "[2]", "[3] 'x'", "[4]"]
    assert push(service.url, "invoice", []).status_code == 404
    assert push(service.url, "product", {"not": "a list"}).status_code == 400
    assert total_writes(woo) == before


def test_a_body_over_the_limit_is_413(woo: Woo, serve_service):
    service = serve_service(woo_settings(woo.url, max_body_bytes=2048))
    answer = push(service.url, "product", [{"_id": str(n), "name": "x" * 100} for n in range(50)])
    assert answer.status_code == 413
    assert answer.headers["Content-Type"].startswith("application/json")


def test_service_token_guards_everything_but_health(woo: Woo, serve_service):
    service = serve_service(woo_settings(woo.url, service_token=Secret("sesam-shared-secret")))
    assert requests.get(f"{service.url}/health").status_code == 200
    assert requests.get(f"{service.url}/entities/order").status_code == 401
    assert push(service.url, "order", []).status_code == 401
    wrong = {"Authorization": "Bearer sesam-shared-secreT"}
    assert requests.get(f"{service.url}/entities/order", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer sesam-shared-secret"}
    assert requests.get(f"{service.url}/entities/order", headers=right).status_code == 200
    assert "sesam-shared-secret" not in requests.get(f"{service.url}/entities/order", headers=wrong).text


def test_service_token_as_basic_password(woo: Woo, serve_service):
    # What a Sesam system:microservice sends with "authentication": "basic" (configuration-systems-microservice.rst);
    # the user name is not a secret and is not checked.
    service = serve_service(woo_settings(woo.url, service_token=Secret("sesam-shared-secret")))
    url = f"{service.url}/entities/order"
    for user in ("sesam", "anyone", ""):
        assert requests.get(url, auth=(user, "sesam-shared-secret")).status_code == 200
        assert requests.post(f"{service.url}/receiver/order", json=[],
                             auth=(user, "sesam-shared-secret")).status_code == 200
    assert requests.get(url, auth=("sesam", "sesam-shared-secreT")).status_code == 401
    assert requests.get(url, auth=("sesam-shared-secret", "")).status_code == 401, "the token is the password"
    for broken in ("Basic !!!", "Basic " + b64encode(b"no-colon").decode(), "Basic " + b64encode(b"\xff:x").decode(),
                   "Digest sesam-shared-secret"):
        answer = requests.get(url, headers={"Authorization": broken})
        assert answer.status_code == 401 and "sesam-shared-secret" not in answer.text


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=8)
bad_entities = st.dictionaries(st.sampled_from(["_id", "_deleted", "$replaced", "id", "sesam_origin", "name"]),
                               json_values).filter(lambda e: not isinstance(e.get("_id"), str) or
                                                   not isinstance(e.get("_deleted", False), bool))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values.filter(lambda v: not isinstance(v, (list, dict))),
                      st.lists(bad_entities, min_size=1, max_size=4),
                      st.binary(max_size=40).filter(lambda b: not b.strip().startswith((b"[", b"{")))))
def test_fuzzed_bad_input_changes_nothing_upstream(woo: Woo, service: Service, body):
    before = total_writes(woo)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = requests.post(f"{service.url}/receiver/product", data=data, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "InvalidRequest"
    assert total_writes(woo) == before


def test_the_default_limit_bounds_memory_per_push(woo: Woo, service: Service):
    """A push peaks at up to 11 times its size in memory (bench/push_memory.py): 64 MiB took 770 MB, and several at
    once could exhaust the host (issue 11, item 13). The default is 8 MiB, far above Sesam's batches of 100."""
    assert service.app.config["SETTINGS"].max_body_bytes == 8 << 20
    over = b"[" + b" " * (8 << 20) + b"]"
    answer = requests.post(f"{service.url}/receiver/product", data=over, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and "MAX_BODY_BYTES" in answer.json()["message"]

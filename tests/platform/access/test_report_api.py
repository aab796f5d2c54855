"""Charts through the API: the reader's scope on every entity of the dataset, hidden fields
refused with their pointer, published reports, and drill-downs whose record count is the
cell's value (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_testing import Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

RUN = "/api/apps/crm/reports/run"
BY_STATUS = {
    "dataset": {"entity": "lead"},
    "dimensions": [{"field": "status"}],
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "bar"},
}
BY_ACCOUNT = {
    "dataset": {"entity": "lead"},
    "dimensions": [{"field": "account.name"}],
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "pie"},
}


@pytest.fixture
def accounts(platform: Platform, secured: Secured) -> dict[str, int]:
    """Two accounts; rex1 and wes1 at Acme, fin1 at Zen."""
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "crm")
        found = {
            name: int(records.create(conn, "account", {"name": name}, WriteContext())["id"])
            for name in ("Acme", "Zen")
        }
        for lead, account in (("rex1", "Acme"), ("wes1", "Acme"), ("fin1", "Zen")):
            records.update(
                conn, "lead", secured.leads[lead], {"account": found[account]}, WriteContext()
            )
    return found


def total(answer: dict[str, Any]) -> int:
    return sum(int(row["n"]) for row in answer["rows"])


def count_records(client: TestClient, entity: str, rule: dict[str, Any]) -> int:
    response = client.get(
        f"/api/apps/crm/entities/{entity}/records",
        params={"filter": json.dumps(rule), "count": "true", "limit": 1},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def test_each_reader_sees_their_scope(app: FastAPI, secured: Secured) -> None:
    totals = {}
    for user in ("fin", "mia", "rex", "win"):
        with secured.client(app, user) as client:
            response = client.post(RUN, json=BY_STATUS)
            assert response.status_code == 200, response.text
            answer = response.json()
            listed = client.get("/api/apps/crm/entities/lead/records", params={"count": "true"})
            assert total(answer) == listed.json()["total"]
            totals[user] = total(answer)
    assert totals == {"fin": 5, "mia": 3, "rex": 3, "win": 2}
    assert all(t <= totals["fin"] for t in totals.values())


def test_columns_carry_labels_and_options_in_order(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "fin") as client:
        answer = client.post(RUN, json=BY_STATUS).json()
    status, count = answer["columns"]
    assert status["label"] == {"en": "Status", "zh": "状态"}
    assert [o["value"] for o in status["options"]] == ["new", "won"]
    assert count == {
        "name": "n",
        "role": "measure",
        "label": {"en": "Count", "zh": "计数"},
        "type": "number",
    }
    assert [row["status"] for row in answer["rows"]] == ["new", "won"]


def test_a_hidden_field_is_refused_with_its_pointer(app: FastAPI, secured: Secured) -> None:
    spec = {
        **BY_STATUS,
        "measures": [{"name": "total", "agg": "sum", "field": "amount"}],
        "filter": {">": [{"var": "amount"}, 10]},
    }
    with secured.client(app, "rex") as rex:
        response = rex.post(RUN, json=spec)
    assert response.status_code == 403, response.text
    pointers = {e["pointer"]: e["code"] for e in response.json()["errors"]}
    assert pointers == {"/measures/0/field": "hidden_field", "/filter": "hidden_field"}
    with secured.client(app, "fin") as fin:
        assert fin.post(RUN, json=spec).status_code == 200


def test_bad_specs_are_422_with_pointers(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "fin") as fin:
        response = fin.post(RUN, json={**BY_STATUS, "dimensions": [{"field": "nope"}]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/dimensions/0/field"
        response = fin.post(RUN, json={"dataset": {"entity": "lead"}, "visual": {"type": "bar"}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/measures"
        bad = {**BY_STATUS, "dimensions": [{"field": "nope"}]}
        response = fin.post("/api/apps/crm/reports/drill", json={"spec": bad, "cell": {}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/spec/dimensions/0/field"
        response = fin.post(
            "/api/apps/crm/reports/drill", json={"spec": BY_STATUS, "cell": {"nope": 1}}
        )
        assert {e["pointer"] for e in response.json()["errors"]} == {"/cell/nope", "/cell/status"}


def test_a_user_without_read_rights_is_refused(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "nob") as nob:
        assert nob.post(RUN, json=BY_STATUS).status_code == 403
        assert nob.post(RUN, json={}).status_code == 403
    with secured.client(app, "win") as win:  # reads leads, not accounts
        response = win.post(RUN, json=BY_ACCOUNT)
        assert response.status_code == 403


def test_linked_entities_are_read_in_the_readers_scope(
    app: FastAPI, secured: Secured, accounts: dict[str, int]
) -> None:
    with secured.client(app, "rex") as rex:
        rows = rex.post(RUN, json=BY_ACCOUNT).json()["rows"]
    assert rows == [{"account_name": "Acme", "n": 1}, {"account_name": None, "n": 2}]


def test_every_cell_drills_down_to_its_records(
    app: FastAPI, secured: Secured, accounts: dict[str, int]
) -> None:
    specs = [
        BY_STATUS,
        BY_ACCOUNT,
        {
            **BY_STATUS,
            "dimensions": [{"field": "status"}, {"field": "created_at", "grain": "month"}],
            "date_ranges": [{"field": "created_at", "range": "last_n_days", "n": 30}],
        },
    ]
    for user in ("mia", "rex", "fin"):
        with secured.client(app, user) as client:
            for spec in specs:
                if user == "fin" and spec is BY_ACCOUNT:
                    continue  # finance reads no accounts (a 403, tested above)
                response = client.post(RUN, json=spec)
                assert response.status_code == 200, (user, response.text)
                answer = response.json()
                dims = [c["name"] for c in answer["columns"] if c["role"] == "dimension"]
                assert answer["rows"]
                for row in answer["rows"]:
                    cell = {name: row[name] for name in dims}
                    response = client.post(
                        "/api/apps/crm/reports/drill", json={"spec": spec, "cell": cell}
                    )
                    assert response.status_code == 200, response.text
                    drill = response.json()
                    assert drill["entity"] == "lead"
                    assert count_records(client, "lead", drill["filter"]) == row["n"], (user, cell)


def test_published_reports_run_by_name(app: FastAPI, platform: Platform, secured: Secured) -> None:
    with begin_write(platform.engine) as conn:
        store.save_draft(
            conn, "crm", "report", "by_status", {"kind": "report", "name": "by_status", **BY_STATUS}
        )
        store.publish(conn, "crm", "report", "by_status")
    with secured.client(app, "rex") as rex:
        response = rex.get("/api/apps/crm/reports/by_status/data")
        assert response.status_code == 200, response.text
        assert total(response.json()) == 3
        assert rex.get("/api/apps/crm/reports/nothing/data").status_code == 404
        drill = rex.post(
            "/api/apps/crm/reports/drill", json={"report": "by_status", "cell": {"status": "won"}}
        ).json()
        assert count_records(rex, "lead", drill["filter"]) == 1


def test_publish_refuses_a_report_naming_unknown_fields(
    platform: Platform, secured: Secured
) -> None:
    from jimu.errors import ValidationFailed

    body = {"kind": "report", "name": "bad", **BY_STATUS, "dimensions": [{"field": "account.nope"}]}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "crm", "report", "bad", body)
        with pytest.raises(ValidationFailed) as caught:
            store.publish(conn, "crm", "report", "bad")
    assert [e.pointer for e in caught.value.errors] == ["reports/bad.json#/dimensions/0/field"]

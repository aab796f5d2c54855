"""The marketing app's dashboards through the dashboard API and pages, on the demo (the
example app and its sample data, loaded as ``./scripts/demo`` does), on SQLite and PostgreSQL:
every chart of both dashboards has rows; filters, cross-filters and drill-downs narrow exactly;
each reader sees their own scope; a chart reading a field hidden from the reader answers its
own error while the others draw; bad filter values are 422 with pointers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jimu.app import create_app
from jimu.platform.auth.users import create_user
from jimu.platform.clock import clock
from jimu.platform.demo import DEMO_TEAM, DemoReport, run_demo
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform
from tests.conftest import DIALECTS, create_postgres_database, drop_postgres_database

#: The demo's data runs from November 2025 to October 2026; the board is viewed on 1 Nov 2026.
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
OVERVIEW = "/api/apps/marketing/dashboards/marketing_overview"
SALES = "/api/apps/marketing/dashboards/sales"
RECORDS = "/api/apps/marketing/entities"


@dataclass
class Board:
    platform: Platform
    report: DemoReport
    client: TestClient

    def sign_in(self, role: str) -> None:
        login = next((x.username for x in self.report.logins if x.role == role), role)
        self.client.cookies.clear()
        body = {"username": login, "password": self.report.admin_password}
        response = self.client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        self.client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        self.client.headers["Origin"] = str(self.client.base_url).rstrip("/")

    def run(self, url: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(f"{url}/run", json=body)
        assert response.status_code == 200, response.text
        return {item["id"]: item for item in response.json()["items"]}

    def count(self, entity: str, rule: Any) -> int:
        params = {"filter": json.dumps(rule), "count": "true", "limit": 1}
        response = self.client.get(f"{RECORDS}/{entity}/records", params=params)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])


@pytest.fixture(scope="module", params=DIALECTS)
def board(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Board]:
    """The demo on one database, shared by this module's tests (loading it takes a while)."""
    tmp = tmp_path_factory.mktemp("dashboards")
    url = (
        f"sqlite:///{tmp / 'jimu.db'}" if request.param == "sqlite" else create_postgres_database()
    )
    platform = Platform.from_settings(Settings(database_url=url, data_dir=tmp))
    from jimu.platform.migrate import upgrade

    upgrade(platform.engine)
    report = run_demo(platform)
    app = create_app(platform=platform)
    app.dependency_overrides[clock] = lambda: lambda: NOW
    try:
        with TestClient(app) as client:
            yield Board(platform, report, client)
    finally:
        platform.engine.dispose()
        if request.param != "sqlite":
            drop_postgres_database(url)


def rows_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    assert "result" in item, item
    rows: list[dict[str, Any]] = item["result"]["rows"]
    return rows


def total(item: dict[str, Any], measure: str) -> float:
    return sum(float(r[measure] or 0) for r in rows_of(item))


def test_every_chart_of_both_dashboards_has_numbers(board: Board) -> None:
    board.sign_in("sales_director")
    for url in (OVERVIEW, SALES):
        items = board.run(url)
        for item_id, item in items.items():
            rows = rows_of(item)
            assert rows, item_id
            measures = [c["name"] for c in item["result"]["columns"] if c["role"] == "measure"]
            assert any(r[m] not in (None, 0) for r in rows for m in measures), item_id
    overview = board.run(OVERVIEW)
    assert len(rows_of(overview["sources"])) >= 5  # several sources, not one slice
    assert [r["status"] for r in rows_of(overview["funnel"])] == [
        "qualified",
        "sales_accepted",
        "converted",
        "won",
    ]
    assert 0 < rows_of(overview["funnel"])[-1]["leads"] < rows_of(overview["funnel"])[-2]["leads"]
    rate = rows_of(overview["mql_sql"])[0]
    assert 0 < rate["rate"] <= 1 and rate["rate_previous"] is not None
    sales = board.run(SALES)
    assert len(rows_of(sales["leaderboard"])) >= 3  # several reps
    board.sign_in("sales_rep")
    for url in (OVERVIEW, SALES):
        assert board.client.post(f"{url}/run", json={}).status_code == 200


def test_a_rep_sees_their_own_numbers_and_a_clear_error_for_hidden_fields(board: Board) -> None:
    board.sign_in("sales_director")
    director = board.run(SALES)
    director_overview = board.run(OVERVIEW)
    board.sign_in("sales_rep")
    rep = board.run(SALES)
    me = board.client.get("/api/auth/me").json()["user"]["id"]
    assert [r["rep"] for r in rows_of(rep["leaderboard"])] == [me]
    assert total(rep["leaderboard"], "won") < total(director["leaderboard"], "won")
    assert total(rep["pipeline"], "deals") < total(director["pipeline"], "deals")
    # campaign cost is hidden from reps: those charts answer 403 naming the field, the others draw
    overview = board.run(OVERVIEW)
    for item_id in ("roi", "roi_trend"):
        error = overview[item_id]["error"]
        assert error["status"] == 403 and "result" not in overview[item_id]
        assert {e["code"] for e in error["errors"]} == {"hidden_field"}
        assert any(e["pointer"].endswith("/field") for e in error["errors"])
    assert total(overview["sources"], "leads") < total(director_overview["sources"], "leads")


def test_filters_narrow_every_chart_that_has_the_field(board: Board) -> None:
    board.sign_in("sales_director")
    everything = board.run(OVERVIEW, filters={"period": None})
    default = board.run(OVERVIEW)
    east = board.run(OVERVIEW, filters={"region": ["east"], "period": None})
    june = {"range": "between", "from": "2026-06-01", "to": "2026-06-30"}
    in_june = board.run(OVERVIEW, filters={"period": june})
    leads = total(everything["sources"], "leads")
    assert total(default["sources"], "leads") <= leads
    # the same count as the record list with the same conditions
    june_rule = {
        "and": [
            {">=": [{"var": "created_at"}, "2026-06-01T00:00:00+00:00"]},
            {"<": [{"var": "created_at"}, "2026-07-01T00:00:00+00:00"]},
        ]
    }
    assert total(in_june["sources"], "leads") == board.count("lead", june_rule) > 0
    east_rule = {"==": [{"var": "region"}, "east"]}
    assert 0 < total(east["sources"], "leads") == board.count("lead", east_rule) < leads
    # a user filter: the leads of one owner
    someone = json.dumps({"!=": [{"var": "owner_id"}, None]})
    listed = board.client.get(f"{RECORDS}/lead/records", params={"limit": 1, "filter": someone})
    owner = int(listed.json()["items"][0]["owner_id"])
    mine = board.run(OVERVIEW, filters={"owner": [owner], "period": None})
    owned = {"==": [{"var": "owner_id"}, owner]}
    assert 0 < total(mine["sources"], "leads") == board.count("lead", owned) < leads
    # a chart opted out of the period keeps its own range; a mapped filter reaches campaigns
    assert rows_of(in_june["mql_sql"]) == rows_of(default["mql_sql"])
    assert total(east["roi_trend"], "cost") < total(everything["roi_trend"], "cost")


def test_a_cross_filter_narrows_the_other_charts(board: Board) -> None:
    board.sign_in("sales_director")
    before = board.run(OVERVIEW)
    source = rows_of(before["sources"])[0]["source"]
    cross = {"item": "sources", "field": "source", "value": source}
    after = board.run(OVERVIEW, cross=cross)
    assert rows_of(after["sources"]) == rows_of(before["sources"])  # the clicked chart keeps all
    assert after["funnel"]["cross_filtered"] and not after["sources"]["cross_filtered"]
    assert rows_of(after["funnel"])[0]["leads"] < rows_of(before["funnel"])[0]["leads"]
    assert total(after["attribution"], "won_linear") < total(before["attribution"], "won_linear")
    # campaigns have no lead source: that chart stays as it was
    assert not after["roi_trend"]["cross_filtered"]
    assert rows_of(after["roi_trend"]) == rows_of(before["roi_trend"])


def test_owners_show_their_names_and_a_series_click_filters_by_both_dimensions(
    board: Board,
) -> None:
    board.sign_in("sales_director")
    before = board.run(SALES, filters={"period": None})
    with board.platform.sessions() as db:
        users = {u.id: u.display_name or u.username for u in db.query(User)}
    # the leaderboard groups by owner id and shows each owner's display name
    leaderboard = [r for r in rows_of(before["leaderboard"]) if r["rep"] is not None]
    assert leaderboard and all(r["rep:title"] == users[r["rep"]] for r in leaderboard)
    team = {name for _, name, _ in DEMO_TEAM}
    assert {r["rep:title"] for r in leaderboard} <= team  # names of the demo's people
    column = next(c for c in before["leaderboard"]["result"]["columns"] if c["name"] == "rep")
    assert column["title"] == "rep:title" and column["target"] == "user"
    # stage × owner: a click on one owner's segment of one stage filters by both
    stacked = rows_of(before["stage_owner"])
    assert all(r["owner:title"] == users.get(r["owner"]) for r in stacked if r["owner"])
    row = max((r for r in stacked if r["owner"]), key=lambda r: r["amount"] or 0)
    cross = {
        "item": "stage_owner",
        "field": "stage",
        "value": row["stage"],
        "series": {"field": "owner_id", "value": row["owner"]},
    }
    after = board.run(SALES, filters={"period": None}, cross=cross)
    assert after["leaderboard"]["cross_filtered"] and not after["stage_owner"]["cross_filtered"]
    assert [r["rep"] for r in rows_of(after["leaderboard"])] == [row["owner"]]
    assert [r["stage"] for r in rows_of(after["pipeline"])] == [row["stage"]]
    assert total(after["pipeline"], "amount") == pytest.approx(row["amount"])
    # the same through the drill-down of another chart: both conditions apply
    drill = {"item": "pipeline", "cell": {"stage": row["stage"]}, "cross": cross}
    response = board.client.post(f"{SALES}/drill", json=drill | {"filters": {"period": None}})
    assert response.status_code == 200, response.text
    both = {
        "and": [
            {"==": [{"var": "stage"}, row["stage"]]},
            {"==": [{"var": "owner_id"}, row["owner"]]},
        ]
    }
    assert board.count("opportunity", response.json()["filter"]) == board.count("opportunity", both)
    bad = {**cross, "series": {"field": "Not A Field", "value": [1], "extra": 1}}
    refused = board.client.post(f"{SALES}/run", json={"cross": bad})
    assert refused.status_code == 422
    assert {e["pointer"] for e in refused.json()["errors"]} == {
        "/cross/series/field",
        "/cross/series/value",
        "/cross/series/extra",
    }
    refused = board.client.post(f"{SALES}/run", json={"cross": {**cross, "series": 5}})
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/cross/series"]


def test_drilling_into_a_slice_lists_exactly_its_records(board: Board) -> None:
    board.sign_in("sales_rep")
    filters = {"region": ["east", "north"]}
    items = board.run(OVERVIEW, filters=filters)
    row = rows_of(items["sources"])[0]
    body = {"item": "sources", "cell": {"source": row["source"]}, "filters": filters}
    response = board.client.post(f"{OVERVIEW}/drill", json=body)
    assert response.status_code == 200, response.text
    drill = response.json()
    assert drill["entity"] == "lead"
    assert drill["url"].startswith("/apps/marketing/lead?filter=")
    assert board.count("lead", drill["filter"]) == row["leads"]
    # the record list page takes the same filter from its URL, scope still applied
    page = board.client.get(drill["url"] + "&lang=en")
    assert page.status_code == 200
    assert f"{row['leads']} records" in page.text or row["leads"] == 1
    assert 'id="url-filter"' in page.text
    # a number card drills into all of its records
    card = {"item": "mql_sql", "cell": {}, "filters": filters}
    assert board.client.post(f"{OVERVIEW}/drill", json=card).status_code == 200
    funnel = {"item": "funnel", "cell": {}}
    refused = board.client.post(f"{OVERVIEW}/drill", json=funnel)
    assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "/funnel"


def test_bad_filters_and_cross_filters_are_named(board: Board) -> None:
    board.sign_in("sales_director")
    body = {
        "filters": {"nope": ["x"], "period": {"range": "fortnight"}, "owner": ["ann"]},
        "cross": {"item": "ghost", "field": "Bad Field", "value": [1]},
    }
    response = board.client.post(f"{OVERVIEW}/run", json=body)
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/filters/nope", "/filters/period/range", "/filters/owner"}
    response = board.client.post(f"{OVERVIEW}/run", json={"cross": body["cross"]})
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/cross/item", "/cross/field", "/cross/value"}
    between = {"range": "between", "from": "2026-07-01", "to": "2026-06-01"}
    response = board.client.post(f"{OVERVIEW}/run", json={"filters": {"period": between}})
    assert [e["pointer"] for e in response.json()["errors"]] == ["/filters/period/to"]
    assert board.client.post("/api/apps/marketing/dashboards/ghost/run", json={}).status_code == 404
    # someone who reads nothing of the app: 403 before the body is looked at
    with board.platform.sessions() as db:
        create_user(db, "outsider", board.report.admin_password)
        db.commit()
    board.sign_in("outsider")
    for path in ("run", "drill"):
        refused = board.client.post(f"{OVERVIEW}/{path}", json={"filters": "nonsense"})
        assert refused.status_code == 403, refused.text
    assert board.client.get("/apps/marketing/dashboards/sales").status_code == 403


def test_the_pages_home_and_menu(board: Board) -> None:
    board.sign_in("sales_director")
    home = board.client.get("/apps/marketing?lang=en")
    assert home.status_code == 200
    assert 'data-designer="dashboard_view"' in home.text and "Marketing overview" in home.text
    assert 'href="/apps/marketing/dashboards/sales"' in home.text  # in the menu
    assert 'class="cards"' in home.text  # the tables under the dashboard
    page = board.client.get("/apps/marketing/dashboards/sales?lang=zh")
    assert page.status_code == 200 and "销售" in page.text
    boot = page.text.split('id="designer-boot">', 1)[1].split("</script>", 1)[0]
    data = json.loads(boot)
    assert [i["id"] for i in data["items"]][:2] == ["leaderboard", "regions"]
    stage = next(f for f in data["filters"] if f["name"] == "stage")
    assert {"value": "won", "label": "赢单 (100%)"} in stage["choices"]
    assert board.client.get("/apps/marketing/dashboards/ghost").status_code == 404
    bad = board.client.get("/apps/marketing/lead", params={"filter": "{not json"})
    assert bad.status_code == 400


def test_a_second_view_comes_from_the_cache_until_a_lead_is_written(board: Board) -> None:
    from jimu.platform.db import begin_write
    from jimu.platform.records import WriteContext

    board.sign_in("sales_director")
    cache = board.platform.chart_results
    first = board.run(OVERVIEW)
    hits, misses = cache.hits, cache.misses
    assert board.run(OVERVIEW) == first
    assert cache.hits >= hits + len(first) and cache.misses == misses
    with begin_write(board.platform.engine) as conn:
        records = board.platform.apps.records(conn, "marketing")
        records.create(
            conn, "lead", {"name": "Cache check", "source": "wechat"}, WriteContext(actor_id=None)
        )
    board.run(OVERVIEW)
    assert cache.misses > misses  # the charts reading leads were computed anew

"""schemathesis over the administrator's OpenAPI document, with every check it has (issue 10,
point 3).

The run is the one ``schemathesis run --checks all`` does (its engine, in-process over ASGI on
SQLite): examples, coverage (boundary values, missing parameters, undeclared methods), fuzzing
(valid and invalid requests) and stateful sequences that follow the document's links (create a
record, then read, change and delete it). Every check of the installed schemathesis runs: no
server error, documented status, content type, headers and schema, invalid data refused, valid
data accepted, 405 with the true ``Allow``, a missing required header refused, no use after
delete, a created resource available, and every protected operation refusing a caller without
(or with bad) credentials. Marker ``fuzz``; ``FUZZ_EXAMPLES`` bounds the examples per
operation (default 10).

Sign-out, sign-out everywhere, revoking a token and changing one's password end the caller's
credentials, so each runs on its own, with a fresh administrator and token, after the main run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from fuzz_refusals import unforeseeable_refusal
from platform_testing import ADMIN_PASSWORD, add_user
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.auth.api_tokens import issue_token
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

pytestmark = pytest.mark.fuzz
MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
#: Every check of schemathesis 4, by name; ``test_every_check_runs`` fails when an upgrade adds
#: one, so it is added here (and run) rather than skipped unnoticed.
ALL_CHECKS = frozenset(
    {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
        "object_level_authorization",
    }
)
#: Operations that end the caller's credentials: (method, path), each run on its own.
SESSION_ENDING = (
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-everywhere"),
    ("DELETE", "/api/auth/tokens/{token_id}"),
    ("POST", "/api/auth/password"),
)


@schemathesis.check
def valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' ``positive_data_acceptance``, except for the refusals no schema can
    foresee (``fuzz_refusals``: each code with its reason)."""
    label = case.operation.label
    if unforeseeable_refusal(label, case.body, response.status_code, response.content):
        return None
    return positive_data_acceptance(ctx, response, case)


def fuzz_config(token: str, *, stateful: bool = True) -> SchemathesisConfig:
    """Every check and phase, ``FUZZ_EXAMPLES`` examples; ``stateful``: also the sequences
    over links (a run of one operation has none to follow)."""
    return SchemathesisConfig.from_dict(
        {
            "workers": 1,
            # Making an app from the marketing template takes seconds on a loaded machine; the
            # max_response_time check below still flags any answer slower than 30 s.
            "request-timeout": 60,
            "headers": {"Authorization": f"Bearer {token}"},
            "checks": {
                "enabled": True,
                # replaced by valid_data_accepted, which calls it
                "positive_data_acceptance": {"enabled": False},
                "max_response_time": 30,
            },
            "generation": {
                "max-examples": EXAMPLES,
                "mode": "all",
                "database": "none",
                # Jimu refuses NUL characters in all text (docs/api.md, "Input Jimu refuses
                # everywhere"); the document says so in words, not on every string's schema.
                "allow-x00": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": stateful, "max-steps": max(EXAMPLES, 5)},
            },
        }
    )


def new_platform(root: Path) -> Platform:
    platform = Platform.from_settings(
        Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'jimu.db'}",
                 secret_key="fuzz-secret")
    )  # fmt: skip
    upgrade(platform.engine)
    return platform


def admin_token(platform: Platform, username: str) -> str:
    """A fresh administrator's API token, issued by the service: not through a sign-in, which
    the fuzzer's own failed sign-ins (same test-client address) may have throttled."""
    user = add_user(platform, username, ADMIN_PASSWORD, is_admin=True)
    with platform.sessions() as db:
        issued = issue_token(db, db.merge(user), f"fuzz {username}")
        db.commit()
        return issued.token


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Platform]]:
    """The app on a SQLite database of its own with the marketing app published."""
    platform = new_platform(tmp_path_factory.mktemp("fuzz"))
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)
    try:
        yield create_app(platform=platform), platform
    finally:
        platform.engine.dispose()


def failures_of(schema: Any) -> list[str]:
    """Run every phase and check over ``schema``; each distinct failure, in words."""
    found: dict[tuple[str, str, str], str] = {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    if node.status == Status.FAILURE and node.failure_info is not None:
                        failure: Failure = node.failure_info.failure
                        key = (node.name, failure.operation, failure.title)
                        found.setdefault(key, _describe(node.name, failure, event, case_id))
        elif isinstance(event, events.NonFatalError):
            found.setdefault(("error", event.label, ""), f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            found.setdefault(("fatal", "", ""), f"engine error: {event.exception!r}")
    return list(found.values())


def _describe(check: str, failure: Failure, event: Any, case_id: str) -> str:
    case = event.recorder.cases[case_id].value
    interaction = event.recorder.interactions.get(case_id)
    answer = b""
    if interaction is not None and interaction.response is not None:
        answer = interaction.response.content[:1500]
    return (
        f"[{check}] {failure.operation}: {failure.title}\n{failure.message}\n"
        f"{case.as_curl_command()}\n-> {answer!r}"
    )


def test_every_check_runs() -> None:
    load_all_checks()
    assert set(CHECKS.get_all_names()) == ALL_CHECKS | {"valid_data_accepted"}


def test_api_answers_as_its_schema_says(fuzzed: tuple[FastAPI, Platform]) -> None:
    app, platform = fuzzed
    token = admin_token(platform, "fuzzer")
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        app,
        config=fuzz_config(token),
        headers={"Authorization": f"Bearer {token}"},
    )
    for method, path in SESSION_ENDING:
        schema = schema.exclude(method=method, path=path)
    failures = failures_of(schema)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


@pytest.mark.parametrize(("method", "path"), SESSION_ENDING)
def test_session_ending_operation(fuzzed: tuple[FastAPI, Platform], method: str, path: str) -> None:
    """Run with credentials of its own, so ending them ends nothing else."""
    app, platform = fuzzed
    username = "fuzz_" + "".join(c for c in path + method if c.isalnum()).lower()[-40:]
    token = admin_token(platform, username)
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        app,
        config=fuzz_config(token, stateful=False),
        headers={"Authorization": f"Bearer {token}"},
    )
    failures = failures_of(schema.include(method=method, path=path))
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


def test_the_run_catches_a_crash_and_an_unguarded_operation() -> None:
    """The harness itself: on a small app with a route that fails and one that declares a
    sign-in it does not enforce, the run reports both."""

    bearer = HTTPBearer(auto_error=False)
    tiny = FastAPI()

    @tiny.get("/crash")
    def crash(n: int) -> JSONResponse:
        return JSONResponse({"detail": "boom"}, status_code=500 if n >= 0 else 200)

    @tiny.get("/guarded", dependencies=[Depends(bearer)])
    def guarded() -> dict[str, bool]:
        return {"ok": True}

    schema = schemathesis.openapi.from_asgi("/openapi.json", tiny, config=fuzz_config("anything"))
    found = "\n".join(failures_of(schema))
    assert "[not_a_server_error] GET /crash" in found
    assert "[ignored_auth] GET /guarded" in found

"""Users, passwords, sessions and API tokens below the HTTP layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jimu.errors import Conflict, NotFound, ValidationFailed
from jimu.platform.auth.api_tokens import issue_token, list_tokens, revoke_token, user_for_token
from jimu.platform.auth.crypto import digest
from jimu.platform.auth.passwords import hash_password, verify_password
from jimu.platform.auth.sessions import end_session, load_session, start_session
from jimu.platform.auth.users import authenticate, create_user
from jimu.platform.models import ApiToken, Session
from jimu.platform.state import Platform


def test_passwords_are_argon2_hashed() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong horse")
    assert not verify_password("not-a-hash", "correct horse")


def test_create_and_authenticate(platform: Platform) -> None:
    with platform.sessions() as db:
        user = create_user(db, "bob", "bob-password", display_name="Bob")
        db.commit()
        assert user.password_hash != "bob-password"
        assert authenticate(db, "bob", "bob-password") == user
        assert authenticate(db, "bob", "nope-nope") is None
        assert authenticate(db, "nobody", "bob-password") is None
        user.is_active = False
        db.commit()
        assert authenticate(db, "bob", "bob-password") is None


def test_create_user_reports_every_problem_at_once(platform: Platform) -> None:
    with platform.sessions() as db, pytest.raises(ValidationFailed) as caught:
        create_user(db, "bad name!", "short", language="fr")
    pointers = {error.pointer for error in caught.value.errors}
    assert pointers == {"/username", "/password", "/language"}


def test_duplicate_username_conflicts(platform: Platform) -> None:
    with platform.sessions() as db:
        create_user(db, "bob", "bob-password")
        db.commit()
        with pytest.raises(Conflict) as caught:
            create_user(db, "bob", "other-password")
        assert caught.value.errors[0].pointer == "/username"


def test_sessions_store_only_a_digest_and_expire(platform: Platform) -> None:
    with platform.sessions() as db:
        user = create_user(db, "bob", "bob-password")
        started = start_session(db, user, timedelta(hours=1))
        db.commit()
        assert db.get(Session, started.token) is None
        loaded = load_session(db, started.token)
        assert loaded is not None and loaded[1].id == user.id
        assert loaded[0].csrf_token == started.csrf_token
        expired = start_session(db, user, timedelta(seconds=-1))
        db.commit()
        assert load_session(db, expired.token) is None
        start_session(db, user, timedelta(hours=1))
        db.commit()
        assert db.get(Session, digest(expired.token)) is None  # cleaned up by the next sign-in
        end_session(db, started.token)
        db.commit()
        assert load_session(db, started.token) is None


def test_api_tokens_are_hashed_revocable_and_expire(platform: Platform) -> None:
    with platform.sessions() as db:
        user = create_user(db, "bob", "bob-password")
        issued = issue_token(db, user, "ci")
        db.commit()
        assert issued.token.startswith("jimu_")
        stored = db.scalars(sa.select(ApiToken.token_hash)).one()
        assert issued.token not in stored and len(stored) == 64
        assert user_for_token(db, issued.token) == user
        assert user_for_token(db, issued.token + "x") is None
        assert [row.name for row in list_tokens(db, user)] == ["ci"]
        revoke_token(db, user, issued.row.id)
        db.commit()
        assert user_for_token(db, issued.token) is None
        with pytest.raises(NotFound):
            revoke_token(db, user, 999)
        soon = issue_token(db, user, "soon", datetime.now(UTC) + timedelta(hours=1))
        db.commit()
        assert user_for_token(db, soon.token) == user
        soon.row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.commit()
        assert user_for_token(db, soon.token) is None


def test_token_validation(platform: Platform) -> None:
    with platform.sessions() as db:
        user = create_user(db, "bob", "bob-password")
        with pytest.raises(ValidationFailed) as caught:
            issue_token(db, user, " ", datetime.now(UTC) - timedelta(days=1))
        assert {e.pointer for e in caught.value.errors} == {"/name", "/expires_at"}

"""Password hashing with argon2id (argon2-cffi's recommended parameters).

``JIMU_PASSWORD_HASH_PROFILE=cheapest`` (argon2-cffi's profile for test suites) makes hashing
take microseconds instead of a tenth of a second; it exists for test runs that create and sign
in thousands of users, never for a deployment. Hashes made with it are rehashed with the
recommended parameters at the next sign-in of a normal deployment (``needs_rehash``).
"""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILES = {"recommended": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
_profile = os.environ.get("JIMU_PASSWORD_HASH_PROFILE", "recommended")
if _profile not in PROFILES:
    raise ValueError(f"JIMU_PASSWORD_HASH_PROFILE must be one of {sorted(PROFILES)}")
_hasher = PasswordHasher.from_parameters(PROFILES[_profile])

#: Verified against when the username does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("jimu-no-such-user")


#: Starts the stored hash of an account no password opens (users synced from the organisation
#: or signed up through single sign-on, until an administrator sets one). Never an argon2 hash.
UNUSABLE_PREFIX = "!"


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def unusable_password_hash() -> str:
    """A stored hash no password matches (costs nothing, unlike hashing a random password)."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(16)


def has_usable_password(password_hash: str) -> bool:
    return not password_hash.startswith(UNUSABLE_PREFIX)


def verify_password(password_hash: str, password: str) -> bool:
    if not has_usable_password(password_hash):
        burn_time(password)  # as long as a wrong password, so timing tells nothing
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return has_usable_password(password_hash) and bool(_hasher.check_needs_rehash(password_hash))


def burn_time(password: str) -> None:
    """Spend one verification's worth of time (for unknown usernames)."""
    verify_password(_DUMMY_HASH, password)

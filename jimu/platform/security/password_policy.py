"""The password policy: long enough, not the username, letters and digits, not a common one.

Every broken rule is reported at once, each as a ``FieldError`` on the password's pointer with
its own ``code`` (``min_length``, ``contains_username``, ``letters_and_digits``, ``common``) so
the pages can show them in the viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.settings import Settings

DEFAULT_MIN_LENGTH = 10

#: Very common passwords (compared case-insensitively); from the top of public breach lists.
COMMON_PASSWORDS = frozenset(
    {
        "123456789a",
        "1234567890a",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "a123456789",
        "aa12345678",
        "abc1234567",
        "abcd123456",
        "abcd1234567",
        "admin12345",
        "admin123456",
        "iloveyou123",
        "letmein123",
        "monkey12345",
        "p@ssw0rd123",
        "passw0rd12",
        "password01",
        "password12",
        "password123",
        "password1234",
        "password2024",
        "password2025",
        "password2026",
        "q1w2e3r4t5",
        "q1w2e3r4t5y6",
        "qwe1234567",
        "qwer123456",
        "qwert12345",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "qwertyuiop1",
        "qwertyuiop123",
        "welcome123",
        "welcome1234",
        "woaini1314",
        "woaini123456",
        "zaq12wsx",
        "zxcvbnm123",
        "1qaz2wsx",
        "password1",
        "abc123456",
        "qwerty123",
        "a12345678",
    }
)


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = DEFAULT_MIN_LENGTH

    @classmethod
    def of(cls, settings: Settings) -> PasswordPolicy:
        return cls(min_length=settings.password_min_length)


def password_problems(
    password: str, username: str, policy: PasswordPolicy, pointer: str = "/password"
) -> list[FieldError]:
    """Every rule ``password`` breaks for the user ``username`` (empty when it is fine)."""
    problems: list[FieldError] = []
    if len(password) < policy.min_length:
        problems.append(
            FieldError(pointer, f"Use at least {policy.min_length} characters.", "min_length")
        )
    name = username.strip().lower()
    if name and name in password.lower():
        problems.append(
            FieldError(pointer, "The password must not contain the username.", "contains_username")
        )
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        problems.append(
            FieldError(
                pointer, "Use both letters and digits in the password.", "letters_and_digits"
            )
        )
    if password.lower() in COMMON_PASSWORDS:
        problems.append(
            FieldError(pointer, "This password is too common; choose another.", "common")
        )
    return problems


def check_password(
    password: str, username: str, policy: PasswordPolicy, pointer: str = "/password"
) -> None:
    """Raise ``ValidationFailed`` naming every rule ``password`` breaks."""
    problems = password_problems(password, username, policy, pointer)
    if problems:
        raise ValidationFailed("The password does not meet the password policy.", problems)

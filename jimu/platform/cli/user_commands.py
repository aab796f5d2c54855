"""``jimu user create USERNAME [--admin] [--password P]``."""

from __future__ import annotations

import argparse
import getpass

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.auth.users import create_user
from jimu.platform.cli.context import open_platform
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="platform users")
    sub = user.add_subparsers(dest="user_command", required=True)
    create = sub.add_parser("create", help="create a user (asks for the password if not given)")
    create.add_argument("username")
    create.add_argument("--admin", action="store_true", help="make the user an administrator")
    create.add_argument("--password", help="the password (prompted for when left out)")
    create.add_argument("--email")
    create.add_argument("--display-name", default="")
    create.add_argument("--language", default="en", choices=["en", "zh"])
    create.set_defaults(handler=run_create)


def prompt_password() -> str:
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValidationFailed(
            "The passwords differ.", [FieldError("/password", "The two entries differ.")]
        )
    return first


def run_create(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password if args.password is not None else prompt_password()
    platform = open_platform(settings)
    try:
        with platform.sessions() as db:
            user = create_user(
                db,
                args.username,
                password,
                is_admin=args.admin,
                display_name=args.display_name,
                email=args.email,
                language=args.language,
                policy=PasswordPolicy.of(settings),
            )
            db.commit()
            role = "administrator" if user.is_admin else "user"
            print(f"created {role} {user.username!r} (id {user.id})")
    finally:
        platform.engine.dispose()
    return 0

"""`make staff-user NAME=... ROLE=editor|reviewer`: create a studio account, or reset one (new
role, new password, unlocked, signed out everywhere). The password is asked twice, never shown;
from a pipe (scripts), one line on standard input."""

from __future__ import annotations

import argparse
import getpass
import sys

from studio.accounts import ROLES, AccountError, StaffStore
from studio.settings import StudioSettings


def read_password(stdin_is_terminal: bool) -> str:
    if not stdin_is_terminal:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("The same again: ") != first:
        raise AccountError("The two passwords differ.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--role", choices=ROLES, required=True)
    args = parser.parse_args(argv)
    store = StaffStore(StudioSettings.from_environment().database)
    try:
        store.set_user(args.name, args.role, read_password(sys.stdin.isatty()))
    except AccountError as error:
        print(f"Not done: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"{args.name} can sign in to the studio as {args.role}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

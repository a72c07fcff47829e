"""`objectstore users ...` and `objectstore quota ...`: the admin API's users and account
quotas from a shell (as a reseller admin: --url/--user/--key or $OBJECTSTORE_*).

    objectstore users list [--json]
    objectstore users create ACCOUNT USER [--secret K] [--access-key A] [--no-admin]
                             [--reseller-admin]       # prints the secret key once
    objectstore users show|disable|enable|rotate|delete ACCOUNT USER
    objectstore quota ACCOUNT [--bytes N|none] [--objects N|none]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from objectstore.cli.admin_client import AdminClient, add_connection_options
from objectstore.cli.errors import CommandError


def register(commands: Any) -> None:
    p = commands.add_parser("users", help="list, create, disable, enable, rotate the key "
                            "of, or delete users (admin API)")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="every user (never their keys)")
    listing.add_argument("--json", action="store_true")
    create = sub.add_parser("create", help="a new user; prints its secret key once")
    _name_args(create)
    create.add_argument("--secret", help="its secret key (default: a random one)")
    create.add_argument("--access-key", help="its S3 access key id (default ACCOUNT:USER)")
    create.add_argument("--no-admin", action="store_true",
                        help="not an admin of its account (only what ACLs grant)")
    create.add_argument("--reseller-admin", action="store_true",
                        help="a reseller admin (manages every account)")
    for action, what in (("show", "one user"), ("disable", "refuse its logins, tokens and "
                         "signatures"), ("enable", "undo disable"),
                         ("rotate", "a new secret key (printed); the old one stops working"),
                         ("delete", "remove a user made here")):
        _name_args(sub.add_parser(action, help=what))
    for q in sub.choices.values():
        add_connection_options(q)
    p.set_defaults(run=cmd_users)

    p = commands.add_parser("quota", help="show or set an account's quota (admin API)")
    p.add_argument("account", metavar="ACCOUNT", help="the account (AUTH_ACCOUNT in Swift)")
    p.add_argument("--bytes", type=_limit, default=argparse.SUPPRESS,
                   help="the most bytes it may hold ('none': no limit)")
    p.add_argument("--objects", type=_limit, default=argparse.SUPPRESS,
                   help="the most objects ('none': no limit)")
    add_connection_options(p)
    p.set_defaults(run=cmd_quota)


def _name_args(p: argparse.ArgumentParser) -> None:
    # (dests of their own: --user and --key are who asks, add_connection_options)
    p.add_argument("target_account", metavar="ACCOUNT")
    p.add_argument("target_user", metavar="USER")


def _limit(text: str) -> int | None:
    if text.lower() == "none":
        return None
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a whole number or 'none', not {text!r}")
    return int(text)


def _line(u: dict[str, Any]) -> str:
    flags = [f for f, on in (("admin", u["admin"]), ("reseller-admin", u["reseller_admin"]),
                             ("DISABLED", u["disabled"])) if on]
    return (f"{u['account'] + ':' + u['user']:30} {u['access_key']:30} {u['source']:8} "
            f"{' '.join(flags)}")


def cmd_users(args: argparse.Namespace) -> int:
    api = AdminClient.of(args)
    if args.action == "list":
        users = api.call("GET", "users")["users"]
        if args.json:
            print(json.dumps(users, indent=1))
        else:
            print(f"{'user':30} {'S3 access key':30} {'source':8} flags")
            print("\n".join(_line(u) for u in users))
        return 0
    account, user = args.target_account, args.target_user
    path = f"users/{account}/{user}"
    if args.action == "create":
        doc: dict[str, Any] = {"account": account, "user": user,
                               "admin": not args.no_admin,
                               "reseller_admin": args.reseller_admin}
        if args.secret:
            doc["key"] = args.secret
        if args.access_key:
            doc["access_key"] = args.access_key
        made = api.call("POST", "users", doc)
        print(f"{_line(made)}\nsecret key: {made['key']}")
    elif args.action == "rotate":
        print(f"new secret key: {api.call('POST', path + '/rotate')['key']}")
    elif args.action in ("disable", "enable"):
        print(_line(api.call("PATCH", path, {"disabled": args.action == "disable"})))
    elif args.action == "delete":
        api.call("DELETE", path)
        print(f"deleted {account}:{user}")
    elif args.action == "show":
        print(_line(api.call("GET", path)))
    else:
        raise CommandError(f"unknown action {args.action}")
    return 0


def cmd_quota(args: argparse.Namespace) -> int:
    api = AdminClient.of(args)
    path = f"accounts/{args.account}/quota"
    given = vars(args)          # (an option not given is not there at all)
    change = {k: given[k] for k in ("bytes", "objects") if k in given}
    doc = api.call("PUT", path, change) if change else api.call("GET", path)
    quota, used = doc["quota"], doc["used"]
    for what in ("bytes", "objects"):
        limit = "no limit" if quota[what] is None else f"{quota[what]:,}"
        print(f"{what:8} {used[what]:>16,} used   quota: {limit}")
    return 0


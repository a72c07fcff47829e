"""`GET /_admin/v1/usage[?account=A][&since=T][&until=T]`: what accounts store and
transfer (objectstore.usage; docs/admin-api.md). A reseller admin may name any account
or none (every account); anyone else sees only their own."""

from __future__ import annotations

import time

from starlette.responses import Response

from objectstore import errors
from objectstore.admin.app import Asked, Caller, Handler, answer
from objectstore.api.swift_errors import MethodNotAllowed
from objectstore.usage.periods import Window
from objectstore.usage.reading import Reader

QUERY = frozenset({"account", "since", "until"})
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@")


def usage_route(reader: Reader) -> Handler:
    async def usage(asked: Asked, caller: Caller) -> Response:
        if asked.method != "GET":
            raise MethodNotAllowed(f"{asked.method} is not GET here")
        if asked.parts:
            raise errors.NotFound("usage is /_admin/v1/usage?account=&since=&until=")
        unknown = set(asked.query.keys()) - QUERY
        if unknown:
            raise errors.BadRequest(f"unknown parameters {sorted(unknown)} (usage takes "
                                    "account, since, until)")
        account = asked.query.get("account") or None
        if account is not None:
            account = account.removeprefix("AUTH_")
            if not set(account) <= NAME_CHARS or len(account) > 256:
                raise errors.BadRequest(f"{account!r} is not an account name")
            caller.may_see(account)
        elif not caller.reseller:
            account = caller.account
        try:
            window = Window.of(asked.query.get("since"), asked.query.get("until"),
                               time.time())
        except ValueError as exc:
            raise errors.BadRequest(str(exc)) from None
        return answer(await reader.report(window, account))
    return usage

"""The admin API's resources: who am I, cluster status, users, account quotas. Each
handler checks who may call it (app.Caller) before it reads or changes anything."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from objectstore import errors
from objectstore.admin.app import Asked, Caller, Handler, answer
from objectstore.admin.cluster_status import node_documents, ring_nodes, summary
from objectstore.admin.user_records import UserRecord, record_fields
from objectstore.admin.users import Listed, Users, access_key_of
from objectstore.api.swift_errors import MethodNotAllowed
from objectstore.proxy import quotas
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy

STATUS_TIMEOUT = 5.0
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _only(asked: Asked, *methods: str) -> None:
    if asked.method not in methods:
        raise MethodNotAllowed(f"{asked.method} is not one of {', '.join(methods)} here")


async def whoami(asked: Asked, caller: Caller) -> Response:
    _only(asked, "GET")
    return answer({"account": caller.account, "user": caller.user, "admin": caller.admin,
                   "reseller_admin": caller.reseller})


def status_route(proxy: Proxy) -> Handler:
    async def status(asked: Asked, caller: Caller) -> Response:
        _only(asked, "GET")
        caller.require_reseller()
        ring = proxy.ring.current()
        documents = await node_documents(proxy.client, ring_nodes(ring), STATUS_TIMEOUT)
        return answer(summary(ring, documents))
    return status


def shown(listed: Listed) -> dict[str, Any]:
    """A user as listed: never its secret key."""
    u = listed.user
    return {"account": u.account, "user": u.user, "access_key": access_key_of(u),
            "admin": u.admin, "reseller_admin": u.reseller_admin, "email": u.email,
            "disabled": listed.disabled, "source": listed.source}


def _checked_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or not set(value) <= NAME_CHARS \
            or len(value) > 64:
        raise errors.BadRequest(f"{what} must be 1-64 letters, digits, '-', '_' or '.'")
    return value


def users_route(users: Users) -> Handler:
    async def route(asked: Asked, caller: Caller) -> Response:
        caller.require_reseller()
        await users.fresh()
        if not asked.parts:
            if asked.method == "GET":
                return answer({"users": [shown(lst) for lst in users.listed()]})
            _only(asked, "GET", "POST")
            return await _create(asked)
        if len(asked.parts) not in (2, 3):
            raise errors.NotFound("a user is /_admin/v1/users/<account>/<user>")
        name = f"{asked.parts[0]}:{asked.parts[1]}"
        if len(asked.parts) == 3:
            if asked.parts[2] != "rotate":
                raise errors.NotFound(f"no user resource {asked.parts[2]!r}")
            _only(asked, "POST")
            made = await users.rotate(name)
            return answer({"account": made.account, "user": made.user, "key": made.key})
        if asked.method == "GET":
            return answer(_listed(name))
        if asked.method == "PATCH":
            doc = asked.json()
            unknown = doc.keys() - {"disabled", "admin", "reseller_admin", "email"}
            fields = record_fields(doc)
            if unknown or not fields:
                raise errors.BadRequest("a PATCH may change disabled, admin, "
                                        f"reseller_admin, email (not {sorted(unknown)})")
            await users.update(name, **fields)
            return answer(_listed(name))
        _only(asked, "GET", "PATCH", "DELETE")
        await users.delete(name)
        return Response(status_code=204)

    def _listed(name: str) -> dict[str, Any]:
        for lst in users.listed():
            if f"{lst.user.account}:{lst.user.user}" == name:
                return shown(lst)
        raise errors.NotFound(f"no user {name}")

    async def _create(asked: Asked) -> Response:
        doc = asked.json()
        unknown = doc.keys() - {"account", "user", "key", "access_key", "admin",
                                "reseller_admin", "email"}
        fields = record_fields(doc)
        if unknown:
            raise errors.BadRequest(f"unknown fields {sorted(unknown)}")
        account = _checked_name(fields.pop("account", None), "account")
        user = _checked_name(fields.pop("user", None), "user")
        if "access_key" in fields:
            _checked_name(fields["access_key"].replace(":", ""), "access_key")
        if "key" in fields and len(fields["key"]) < 8:
            raise errors.BadRequest("a key is at least 8 characters")
        made = await users.create(UserRecord(account, user, **{"key": "", **fields}))
        listed = _listed(made.name)
        return answer({**listed, "key": made.key}, 201)

    return route


def accounts_route(containers: Containers) -> Handler:
    """`accounts/<account>/quota`: an account's quotas and what it holds."""
    async def route(asked: Asked, caller: Caller) -> Response:
        if len(asked.parts) != 2 or asked.parts[1] != "quota":
            raise errors.NotFound("an account's quota is /_admin/v1/accounts/<account>/quota")
        account = _checked_name(asked.parts[0], "account")
        swift_account = f"AUTH_{account}"
        if asked.method == "PUT":
            caller.require_reseller()
            doc = asked.json()
            unknown = doc.keys() - {"bytes", "objects"}
            if unknown:
                raise errors.BadRequest(f"unknown fields {sorted(unknown)}")
            metadata = {}
            for field, kept in (("bytes", quotas.ACCOUNT_BYTES),
                                ("objects", quotas.ACCOUNT_COUNT)):
                if field in doc:
                    value = doc[field]
                    if value is not None and (not isinstance(value, int) or
                                              isinstance(value, bool) or value < 0):
                        raise errors.BadRequest(f"{field} is a whole number or null")
                    metadata[kept] = "" if value is None else str(value)
            await containers.post_account(swift_account, metadata)
        else:
            _only(asked, "GET", "PUT")
            caller.may_see(account)
        headers = (await containers.list_account(swift_account, limit="1")).headers
        return answer({"account": account,
                       "quota": {"bytes": _number(headers.get(quotas.ACCOUNT_BYTES)),
                                 "objects": _number(headers.get(quotas.ACCOUNT_COUNT))},
                       "used": {"bytes": _number(headers.get("x-bytes-used")) or 0,
                                "objects": _number(headers.get("x-object-count")) or 0,
                                "containers": _number(headers.get("x-item-count")) or 0}})
    return route


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None

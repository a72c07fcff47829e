"""CORS for Swift containers, as OpenStack Swift's proxy answers it, decided by the same
evaluation as S3's bucket rules (proxy/cors_rules.py): a container's
`X-Container-Meta-Access-Control-Allow-Origin` (whole origins separated by spaces, or
`*`), `-Max-Age` and `-Expose-Headers` read as one rule that allows every Swift method
of the level and any request header.

A preflight (OPTIONS with Origin) is answered 200 with the allowed origin, methods and
requested headers, or 401 when the rule does not let its origin and
Access-Control-Request-Method in; an OPTIONS without Origin is no preflight (200 and
Allow). Every other answer to an allowed origin, errors included, carries
Access-Control-Allow-Origin and Access-Control-Expose-Headers (Swift's usual headers,
the answer's metadata and the container's own list); other origins get no CORS headers
(strict mode)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api.names import SwiftPath
from objectstore.proxy.cors_rules import (
    CorsRule,
    answer,
    preflight,
    requested_headers,
    to_set,
)

META = "x-container-meta-access-control-"
METHODS = ("HEAD", "GET", "PUT", "POST", "OPTIONS", "DELETE")     # accounts, containers
OBJECT_METHODS = ("HEAD", "GET", "PUT", "POST", "COPY", "OPTIONS", "DELETE")
# Swift exposes these on every answer to an allowed origin, and the answer's metadata
EXPOSED = ("cache-control", "content-language", "content-type", "expires",
           "last-modified", "pragma", "etag", "x-timestamp", "x-trans-id",
           "x-openstack-request-id", "x-container-meta-*", "x-object-meta-*")
CAPABILITIES = {"strict_cors_mode": True}
# /info is anyone's to read from any page (Swift's exposes its X-Trans-Id); OPTIONS on
# it is no preflight
INFO_METHODS = ("HEAD", "GET", "OPTIONS")
INFO_RULES = [CorsRule(("*",), ("HEAD", "GET"), whole_origins=True,
                       answer_exposes=("x-trans-id",))]
TARGET = "cors_target"      # request.state: the path whose container's settings count


def answering_for(request: Request, t: SwiftPath) -> None:
    """The CORS headers of this request's answer are `t`'s container's (a followed
    symlink's target's, as in Swift, whose link hands the request on to its target)."""
    setattr(request.state, TARGET, t)


def answering_target(request: Request) -> SwiftPath | None:
    found: SwiftPath | None = getattr(request.state, TARGET, None)
    return found


def methods(on_object: bool) -> tuple[str, ...]:
    return OBJECT_METHODS if on_object else METHODS


def container_rules(container: Mapping[str, str], on_object: bool) -> list[CorsRule]:
    """The container's CORS metadata as rules: none without an allowed origin."""
    origins = tuple(container.get(META + "allow-origin", "").split())
    if not origins:
        return []
    age = container.get(META + "max-age", "").strip()
    own = tuple(h.lower() for h in container.get(META + "expose-headers", "").split())
    return [CorsRule(origins, methods(on_object), ("*",),
                     max_age=int(age) if age.isdigit() else None, whole_origins=True,
                     answer_exposes=EXPOSED + own)]


def check_settings(headers: Mapping[str, str]) -> None:
    """A Max-Age a browser could not read is refused, not kept to be ignored."""
    age = headers.get(META + "max-age", "").strip()
    if age and not age.isdigit():
        raise errors.BadRequest("X-Container-Meta-Access-Control-Max-Age must be a whole "
                                "number of seconds")


def options(container: Mapping[str, str], headers: Mapping[str, str],
            on_object: bool) -> Response:
    """The answer to an OPTIONS request (a preflight when it has an Origin)."""
    allow = {"allow": ", ".join(methods(on_object))}
    origin = headers.get("origin")
    if not origin:
        return Response(status_code=200, headers=allow)
    cors = preflight(container_rules(container, on_object), origin,
                     headers.get("access-control-request-method", ""),
                     requested_headers(headers.get("access-control-request-headers", "")))
    if cors is None:
        return Response(b"", status_code=401)
    return Response(b"", status_code=200, headers={**cors, **allow})


def decorate_info(response: Response, origin: str, method: str) -> None:
    _decorate(response, INFO_RULES, origin, method)


def decorate(response: Response, container: Mapping[str, str], origin: str, method: str,
             on_object: bool) -> None:
    """An actual request from `origin`: the CORS headers, if the container allows it."""
    _decorate(response, container_rules(container, on_object), origin, method)


def _decorate(response: Response, rules: list[CorsRule], origin: str, method: str) -> None:
    cors = answer(rules, origin, method, response.headers.keys())
    if cors is not None:
        response.headers.update(to_set(response.headers, cors))

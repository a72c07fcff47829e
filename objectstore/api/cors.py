"""CORS for Swift containers, as OpenStack Swift's proxy answers it: a container's
`X-Container-Meta-Access-Control-Allow-Origin` (space-separated origins, or `*`),
`-Max-Age` and `-Expose-Headers` let pages of those origins use its objects from a
browser. A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
answered 200 with the allowed origin, methods and headers, or 401 for an origin the
container does not allow; actual requests from an allowed origin carry
Access-Control-Allow-Origin and Access-Control-Expose-Headers (the object's metadata
among them); requests from other origins get no CORS headers (strict mode)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

META = "x-container-meta-access-control-"
METHODS = "HEAD, GET, PUT, POST, COPY, OPTIONS, DELETE"
EXPOSED = ("cache-control", "content-language", "content-type", "expires",
           "last-modified", "pragma", "etag", "x-timestamp", "x-trans-id",
           "x-openstack-request-id")
CAPABILITIES = {"strict_cors_mode": True}


def allowed(container: Mapping[str, str], origin: str) -> str | None:
    """The Access-Control-Allow-Origin to answer `origin` with; None if not allowed."""
    origins = container.get(META + "allow-origin", "").split()
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def preflight(container: Mapping[str, str], headers: Mapping[str, str]) -> Response:
    """The answer to an OPTIONS request (a preflight when it has both CORS headers)."""
    origin = headers.get("origin")
    method = headers.get("access-control-request-method")
    if origin is None and method is None:
        return Response(status_code=200, headers={"allow": METHODS})
    allow = allowed(container, origin or "") if origin and method else None
    if allow is None:
        return Response(b"", status_code=401)
    out = {"access-control-allow-origin": allow, "access-control-allow-methods": METHODS,
           "allow": METHODS}
    if container.get(META + "max-age"):
        out["access-control-max-age"] = container[META + "max-age"]
    asked = [h.strip() for h in headers.get("access-control-request-headers", "").split(",")
             if h.strip()]
    if asked:
        out["access-control-allow-headers"] = ", ".join(asked)
    return Response(b"", status_code=200, headers=out)


def decorate(response: Response, container: Mapping[str, str], origin: str) -> None:
    """An actual request from `origin`: the CORS headers, if the container allows it."""
    allow = allowed(container, origin)
    if allow is None:
        return
    exposed = list(EXPOSED)
    exposed += [k for k in response.headers if k.startswith(("x-object-meta-",
                                                             "x-container-meta-"))]
    exposed += container.get(META + "expose-headers", "").split()
    response.headers["access-control-allow-origin"] = allow
    response.headers["access-control-expose-headers"] = ", ".join(exposed)

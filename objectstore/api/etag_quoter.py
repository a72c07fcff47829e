"""RFC-compliant (quoted) ETags on object responses, per container or account: Swift's
etag_quoter middleware.

`X-Container-Rfc-Compliant-Etags` / `X-Account-Rfc-Compliant-Etags` (true or false;
empty or `X-Remove-*` unsets) are kept as system metadata; a container's setting wins
over its account's, and with neither the ETag stays bare (`enable_by_default` false,
as /info says). Whoever may POST the container or account may set it. Reads consult
the proxy's recent container and account answers (dict lookups; a HEAD at most once
per cache period), so objects whose container never set it pay only that.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectstore.api.backend import Backend
from objectstore.api.truth import TRUE

CLIENT = {"container": "x-container-rfc-compliant-etags",
          "account": "x-account-rfc-compliant-etags"}
SYSMETA = {"container": "x-container-sysmeta-rfc-compliant-etags",
           "account": "x-account-sysmeta-rfc-compliant-etags"}


def setting(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """The system metadata a PUT or POST of a `kind` sets (none unless it says)."""
    client = CLIENT[kind]
    if headers.get(client.replace("x-", "x-remove-", 1)):
        return {SYSMETA[kind]: ""}
    if client not in headers:
        return {}
    value = headers[client].strip()
    return {SYSMETA[kind]: ("true" if value.lower() in TRUE else "false") if value else ""}


def shown(node: Mapping[str, str], kind: str) -> dict[str, str]:
    """The setting as Swift shows it on HEAD/GET of the container or account."""
    value = node.get(SYSMETA[kind])
    return {CLIENT[kind]: "True" if value == "true" else "False"} if value else {}


async def wanted(b: Backend, account: str, container: str) -> bool:
    """Whether object responses in the container quote their ETags."""
    value = await b.containers.cached_sysmeta(account, container, SYSMETA["container"])
    if not value:
        value = await b.containers.cached_sysmeta(account, "", SYSMETA["account"])
    return value == "true"


def quote(etag: str) -> str:
    return etag if etag.startswith(('"', 'W/"')) and etag.endswith('"') else f'"{etag}"'

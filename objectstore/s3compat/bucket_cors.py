"""S3 CORS: Put/Get/DeleteBucketCors (`?cors`), the browser's preflight (`OPTIONS` on a
bucket or an object, unsigned), and the `Access-Control-*` headers on the answers to a
browser's actual requests (errors too), from the first rule that fits
(proxy/cors_rules.py).

The rules are a bucket document (proxy/bucket_documents.py: up to 100 rules are more
than a container's metadata can carry), flagged on the bucket, so a request to a bucket
without rules pays a dict lookup. As RGW answers: a preflight without Origin or
Access-Control-Request-Method is 400, one no rule fits (or to a bucket without rules)
403; an actual request names its method in Access-Control-Request-Method when it sends
one."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.bucket_documents import BucketDocuments
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.cors_rules import (
    MAX_RULES,
    METHODS,
    CorsRule,
    answer,
    decode,
    encode,
    preflight,
    requested_headers,
    to_set,
)
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import check_small_body, request_stream
from objectstore.s3compat.xmlbody import parse, read_limited

CONTAINER = "cors"
FLAG = "x-container-sysmeta-s3-cors"
MAX_BODY = 64 * 1024
RULE_FIELDS = {"ID", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader",
               "MaxAgeSeconds"}


def parse_rules(body: bytes) -> list[CorsRule]:
    root = parse(body)
    if root.tag != "CORSConfiguration" or any(c.tag != "CORSRule" for c in root):
        raise s3errors.MalformedXML()
    if not len(root):
        raise s3errors.MalformedXML("A CORS configuration needs a CORSRule")
    if len(root) > MAX_RULES:
        raise s3errors.MalformedXML(f"At most {MAX_RULES} CORS rules")
    return [_rule(r) for r in root]


def _rule(element: ET.Element) -> CorsRule:
    if any(c.tag not in RULE_FIELDS for c in element):
        raise s3errors.MalformedXML()

    def texts(tag: str) -> tuple[str, ...]:
        return tuple((c.text or "").strip() for c in element if c.tag == tag)
    origins, methods = texts("AllowedOrigin"), texts("AllowedMethod")
    if not origins or not methods:
        raise s3errors.MalformedXML("A CORSRule needs AllowedOrigin and AllowedMethod")
    for method in methods:
        if method not in METHODS:
            raise s3errors.InvalidRequest(f"Found unsupported HTTP method in CORS config. "
                                          f"Unsupported method is {method}")
    for pattern in origins + texts("AllowedHeader"):
        if pattern.count("*") > 1:
            raise s3errors.InvalidRequest(f'AllowedOrigin "{pattern}" can not have more '
                                          "than one wildcard.")
    age = texts("MaxAgeSeconds")
    if len(age) > 1 or (age and not age[0].isdigit()) or len(texts("ID")) > 1:
        raise s3errors.MalformedXML()
    ident = texts("ID")
    if ident and len(ident[0]) > 255:
        raise s3errors.InvalidArgument("A CORSRule ID is at most 255 characters")
    return CorsRule(origins, methods, texts("AllowedHeader"), texts("ExposeHeader"),
                    int(age[0]) if age else None, ident[0] if ident else "")


def rules_xml(rules: list[CorsRule]) -> bytes:
    out = []
    for r in rules:
        out.append("<CORSRule>" + (el("ID", r.id) if r.id else "")
                   + "".join(el("AllowedOrigin", o) for o in r.allowed_origins)
                   + "".join(el("AllowedMethod", m) for m in r.allowed_methods)
                   + "".join(el("AllowedHeader", h) for h in r.allowed_headers)
                   + "".join(el("ExposeHeader", h) for h in r.expose_headers)
                   + (el("MaxAgeSeconds", r.max_age) if r.max_age is not None else "")
                   + "</CORSRule>")
    return xml_doc("CORSConfiguration", "".join(out))


class BucketCors:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.documents: BucketDocuments[list[CorsRule]] = BucketDocuments(
            proxy, containers, CONTAINER, FLAG, decode)

    async def handle(self, request: Request, account: str, bucket: str) -> Response:
        """`?cors` (who may: access.py decided: the owner, or whom the policy lets)."""
        if request.method == "GET":
            rules = await self.rules(account, bucket)
            if rules is None:
                raise s3errors.NoSuchCORSConfiguration()
            return xml_response(rules_xml(rules))
        if request.method == "PUT":
            body = await read_limited(request_stream(request), MAX_BODY)
            await check_small_body(body, request)        # Content-MD5 / x-amz-checksum-*
            await self.documents.put(account, bucket, encode(parse_rules(body)))
            return Response(status_code=200)
        if request.method == "DELETE":
            await self.forget(account, bucket)
            return Response(status_code=204)
        raise s3errors.MethodNotAllowed()

    async def rules(self, account: str, bucket: str) -> list[CorsRule] | None:
        flag = self.documents.flag(account, bucket)
        return await self.documents.get(account, bucket, flag) if flag else None

    async def forget(self, account: str, bucket: str, container_too: bool = True) -> None:
        """The rules go (with the bucket, when it is deleted)."""
        if self.documents.flag(account, bucket) or not container_too:
            await self.documents.delete(account, bucket, container_too)

    async def preflight(self, request: Request, account: str, bucket: str) -> Response:
        h = request.headers
        origin, method = h.get("origin"), h.get("access-control-request-method")
        if not origin or not method:
            raise s3errors.InvalidRequest("Insufficient information. Origin request "
                                          "header needed." if not origin else
                                          "Access-Control-Request-Method is needed")
        asked = requested_headers(h.get("access-control-request-headers", ""))
        cors = preflight(await self.rules(account, bucket) or [], origin, method, asked)
        if cors is None:
            raise s3errors.AccessDenied("CORSResponse: This CORS request is not allowed. "
                                        "This is usually because the evalution of Origin, "
                                        "request method / Access-Control-Request-Method or "
                                        "Access-Control-Request-Headers are not "
                                        "whitelisted by the resource's CORS spec.")
        return Response(status_code=200, headers=cors)

    async def decorate(self, request: Request, response: Response, account: str,
                       bucket: str) -> None:
        """An actual request from a browser (it has an Origin): the rule's headers."""
        origin = request.headers.get("origin")
        if not origin or not self.documents.flag(account, bucket):
            return
        method = request.headers.get("access-control-request-method") or request.method
        cors = answer(await self.rules(account, bucket) or [], origin, method)
        if cors is not None:
            response.headers.update(to_set(response.headers, cors))

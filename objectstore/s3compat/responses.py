"""S3's wire format: XML documents (errors among them), request ids, object headers.
Which error is answered for what is `errormap.py`'s job."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from starlette.responses import Response

from objectstore import request_id as request_ids
from objectstore.timestamps import Timestamp

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# Headers stored with an object and returned with it.
STORED = ("content-type", "content-encoding", "content-disposition", "content-language",
          "cache-control", "expires")


def request_id() -> str:
    return request_ids.request_id()    # the outer layer's id for this request


# What XML 1.0 cannot carry at all, not even as a character reference (its `Char`
# production): C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> bool:
    """Whether `text` can be written in an XML 1.0 document as it is."""
    return _NOT_XML.search(text) is None


def xml_text(value: object) -> str:
    """Text content for our XML documents, always well-formed: markup escaped, CR as a
    reference (a parser would read a raw CR back as LF), and what XML 1.0 cannot carry
    replaced by U+FFFD. (S3 writes such characters as references like `&#x1F;`, which
    XML parsers refuse; listings avoid the loss by percent-encoding, see listings.py.)"""
    return _NOT_XML.sub("\ufffd", escape(str(value), {"\r": "&#13;"}))


def error_xml(code: str, message: str, resource: str, req_id: str,
              details: dict[str, str] | None = None) -> bytes:
    extra = "".join(el(k, v) for k, v in (details or {}).items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{xml_text(message)}</Message>{extra}<Resource>{xml_text(resource)}"
            f"</Resource><RequestId>{req_id}</RequestId></Error>").encode()


def xml_doc(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{body}</{root}>'.encode()


def el(name: str, value: object) -> str:
    return f"<{name}>{xml_text(value)}</{name}>"


def iso(ts: Timestamp) -> str:
    return datetime.fromtimestamp(ts.seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def xml_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=200, media_type="application/xml", headers=headers)


def quote_etag(etag: str) -> str:
    return f'"{etag}"'


def url_encode(text: str) -> str:
    return quote(text, safe="/")


def object_headers_out(node: dict[str, Any], ts: Timestamp) -> dict[str, str]:
    headers = {k: v for k, v in node.items() if k in STORED or k == "content-length"}
    headers["etag"] = quote_etag(node.get("etag", ""))
    headers["last-modified"] = formatdate(int(ts.seconds), usegmt=True)    # as listed
    headers["accept-ranges"] = "bytes"
    for k, v in node.items():
        if k.startswith("x-object-meta-"):
            headers["x-amz-meta-" + k[len("x-object-meta-"):]] = v
    return headers


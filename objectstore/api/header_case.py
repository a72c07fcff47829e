"""Title-cased user metadata names on object reads, as OpenStack Swift sends them.

HTTP names are case-insensitive, but Swift clients that copy a response's headers into
a dict (Swift's own functional tests, scripts comparing `X-Object-Meta-*` keys) expect
Swift's `str.title()` spelling. uvicorn writes every name in lower case, so the API only
notes the prefix for the request (`request_id.note_titled`) and the server's protocol
title-cases those names in the head it writes (`serving/titled_heads.py`). Only reads of
objects that have user metadata ask for it.
"""

from __future__ import annotations

from objectstore import request_id

META = b"x-object-meta-"


def title_user_metadata() -> None:
    request_id.note_titled(META)

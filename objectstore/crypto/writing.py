"""An encrypted write, as the proxy streams it: the body goes through AES-CTR on its
way to the nodes, and what can only be known of the plaintext once it has ended (its
MD5, the checksum S3 asked for) goes to the nodes in the footer after it, so the nodes
never see a byte of plaintext and still store and list the object's own ETag."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from objectstore import checksums, errors
from objectstore.crypto import ciphers
from objectstore.crypto.keyring import Sealed
from objectstore.crypto.protection import CRYPTO_BODY, CRYPTO_ETAG, CRYPTO_SSE, Protection
from objectstore.node import wire


class EncryptedWrite:
    """One body being encrypted; `stream` it once, then ask for its `footer`."""

    def __init__(self, protection: Protection, sealed: Sealed, checksum_algorithm: str = "",
                 expected_md5: str | None = None, listed_as: str | None = None) -> None:
        """`listed_as`: the listing ETag the write sets itself (a symlink's), if any:
        the footer then leaves it alone."""
        self.protection = protection
        self.listed_as = listed_as
        self.sealed = sealed
        self.expected_md5 = expected_md5.strip('"').lower() if expected_md5 else None
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._checksum = checksums.running(checksum_algorithm) if checksum_algorithm \
            else None
        self.plain_md5 = ""

    def headers(self) -> dict[str, str]:
        """The system metadata sent before the body."""
        return {CRYPTO_SSE: self.protection.text(), CRYPTO_BODY: self.sealed.envelope.text()}

    async def stream(self, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The ciphertext of `body`. A body that does not match the MD5 it was declared
        with fails at its end, before the proxy sends its last chunk (so no node
        commits it)."""
        cipher = ciphers.keystream_at(self.sealed.data_key, self.sealed.envelope.iv, 0)
        md5, checksum = self._md5, self._checksum
        async for chunk in body:
            if not chunk:
                continue
            md5.update(chunk)
            if checksum is not None:
                checksum.update(chunk)
            yield cipher.update(chunk)
        self.plain_md5 = md5.hexdigest()
        if self.expected_md5 and self.plain_md5 != self.expected_md5:
            raise errors.UnprocessableEntity("body does not match its ETag")

    @property
    def etag(self) -> str:
        """The ETag the object shows: its plaintext's MD5 (the nodes keep the
        ciphertext's, and check what they store against it)."""
        return self.plain_md5

    @property
    def checksums(self) -> dict[str, str]:
        """The plaintext's checksum S3 asked for (algorithm -> base64)."""
        c = self._checksum
        return {c.name: c.b64digest()} if c is not None else {}

    def footer(self) -> dict[str, str]:
        """The system metadata known once the body has ended."""
        out = {wire.OBJECT_SYSMETA_CHECKSUM + k: v for k, v in self.checksums.items()}
        out[CRYPTO_ETAG] = self.plain_md5
        if self.listed_as is None:
            out[wire.LISTING_ETAG] = self.plain_md5
        return out

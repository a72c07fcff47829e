"""Encryption at rest: objects' bodies leave the proxy as AES-256-CTR ciphertext, each
under its own data key, wrapped by a key the store or the client holds (S3's SSE-S3,
SSE-KMS and SSE-C). Storage nodes only ever see ciphertext."""

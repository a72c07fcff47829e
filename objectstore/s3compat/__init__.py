"""The Amazon S3 API (translator onto objectstore.proxy)."""

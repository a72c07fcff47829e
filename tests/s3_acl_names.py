"""Names the S3 ACL tests share: the permissions, two accounts (main owns the bucket,
alt writes into it, as in ceph/s3-tests) and the users' directory with their emails."""

from __future__ import annotations

from objectstore.proxy.s3_acl import Owner, Permission, UserDirectory

R, W, RA, WA, FC = (Permission.READ, Permission.WRITE, Permission.READ_ACP,
                    Permission.WRITE_ACP, Permission.FULL_CONTROL)
MAIN, ALT = Owner("test"), Owner("test2")
USERS = UserDirectory([("test", "tester@example.com"), ("test2", "tester2@example.com")])

"""OpenStack Swift's functional tests with Keystone v3 authentication against a fresh
`objectstore serve` that trusts a real Keystone (tests/keystone.py): the measurement
behind docs/keystone.md, run by hand, never by CI (the suite is fetched, not ours).

    .venv/bin/python -m tests.keystone_functests OUTDIR [test files, relative to the
        swift tree; default test/functional/test_access_control.py] [-- pytest args]

It uses the Swift test tree and virtualenv that ../shared/tools/conformance/
swift-functests.sh makes (run that once first) and adds python-keystoneclient to the
virtualenv. The users are those Swift's test.conf describes for Keystone v3: test/tester
and test2/tester2 (operators), tester3 (a member of test), test4/tester4 in the domain
test-domain, test5/tester5 (a service user), tester6 (ResellerAdmin in test)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.integration.conftest import serving
from tests.keystone import SERVICE, Keystone, keystone, keystone_table
from tests.servers import free_port

ANCHORS = Path(os.environ.get("ANCHORS_ROOT",
                              Path.home() / ".cache" / "objectstore-anchors"))
SRC = ANCHORS / "swift-functests-src"
VENV = ANCHORS / "swift-functests-venv"
CONFORMANCE_TOOLS = Path(__file__).resolve().parents[2] / "shared" / "tools" / "conformance"
# (domain, project, user, password, role), as test.conf names them
USERS = [("Default", "test", "tester", "testing", "admin"),
         ("Default", "test2", "tester2", "testing2", "admin"),
         ("Default", "test", "tester3", "testing3", "member"),
         ("test-domain", "test4", "tester4", "testing4", "admin"),
         ("Default", "test5", "tester5", "testing5", "service"),
         ("Default", "test", "tester6", "testing6", "ResellerAdmin")]


def provision(ks: Keystone, storage_url: str) -> None:
    ks.object_store(storage_url)
    ks.user(*SERVICE, role="admin")
    for domain, project, user, password, role in USERS:
        ks.user(user, password, project, role, domain=domain)


def test_conf(ks_url: str, where: Path) -> Path:
    host_port = ks_url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    conf = where / "test.conf"
    conf.write_text(textwrap.dedent(f"""
        [func_test]
        auth_version = 3
        auth_host = {host}
        auth_port = {port}
        auth_ssl = no
        auth_prefix = /v3/
        account = test
        username = tester
        password = testing
        account2 = test2
        username2 = tester2
        password2 = testing2
        username3 = tester3
        password3 = testing3
        account4 = test4
        username4 = tester4
        password4 = testing4
        domain4 = test-domain
        account5 = test5
        username5 = tester5
        password5 = testing5
        account6 = test
        username6 = tester6
        password6 = testing6
        collate = C
        insecure = no
    """))
    return conf


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[0]).resolve()
    rest = argv[1:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    tests = (rest[:rest.index("--")] if "--" in rest else rest) or \
        ["test/functional/test_access_control.py"]
    if not (VENV / "bin" / "pytest").exists() or not (SRC / "test").exists():
        print("run ../shared/tools/conformance/swift-functests.sh once first", file=sys.stderr)
        return 2
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "python-keystoneclient"],
                   check=True)
    out.mkdir(parents=True, exist_ok=True)
    with keystone(out / "keystone") as ks:
        port = free_port()
        provision(ks, f"http://127.0.0.1:{port}/v1/AUTH_$(project_id)s")
        with serving(out / "data", keystone_table(ks.url), port=port):
            conf = test_conf(ks.url, out)
            env = {**os.environ, "SWIFT_TEST_CONFIG_FILE": str(conf),
                   "SWIFT_TEST_IN_PROCESS": "0", "PYTHONPATH": str(CONFORMANCE_TOOLS)}
            with open(out / "pytest.log", "wb") as log:
                subprocess.run([str(VENV / "bin" / "pytest"), *tests, "-p",
                                "no:cacheprovider", "--timeout=300", "-v", "--tb=short",
                                f"--junitxml={out / 'junit.xml'}", *extra],
                               cwd=SRC, env=env, stdout=log, stderr=subprocess.STDOUT)
    summary = subprocess.run([str(VENV / "bin" / "python"),
                              str(CONFORMANCE_TOOLS / "junit_outcomes.py"),
                              str(out / "junit.xml"), str(out), "--label",
                              "swift-keystone-functests"],
                             capture_output=True, text=True, check=True).stdout
    print(summary.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A real Keystone for tests: OpenStack's identity service (PyPI `keystone`, in its own
virtualenv made by scripts/keystone-venv.sh) on a SQLite database with fernet tokens,
served by wsgiref in a subprocess on a free port, and given its users, projects, roles
and EC2 credentials over its own REST API (v3), as an operator would give them."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.servers import free_port, stop_gracefully

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".keystone-venv"
ADMIN_PASSWORD = "keystone-admin"
# the proxy's own (service) user: name, password, project
SERVICE = ("swift", "swift-service-pw", "service")

# Keystone's own WSGI app on a threaded wsgiref server (no web server to install)
SERVE = textwrap.dedent("""
    import os, sys
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
    conf, port = sys.argv[1], int(sys.argv[2])
    os.environ["OS_KEYSTONE_CONFIG_FILES"] = conf
    sys.argv = sys.argv[:1]
    from keystone.server.wsgi import initialize_public_application
    app = initialize_public_application()
    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass
    make_server("127.0.0.1", port, app, server_class=Server,
                handler_class=Quiet).serve_forever()
""")


def keystone_table(url: str, cache_seconds: float = 300) -> str:
    """objectstore's `[keystone]` config table for a Keystone at `url`, as SERVICE."""
    user, password, project = SERVICE
    return (f'[keystone]\nurl = "{url}"\nusername = "{user}"\npassword = "{password}"\n'
            f'project = "{project}"\ncache_seconds = {cache_seconds}\n')


def ensure_venv() -> Path:
    """The Keystone virtualenv, made on first use (about a minute) and kept; if
    scripts/test.sh is making it in the background, this waits for that."""
    subprocess.run([str(ROOT / "scripts" / "keystone-venv.sh")], check=True)
    return VENV


@dataclass
class Keystone:
    """A running Keystone: `url` is its v3 endpoint; `admin` a token of its admin."""

    url: str
    admin: str
    _ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: dict[str, object] | None = None,
             headers: dict[str, str] | None = None) -> dict[str, object]:
        r = requests.request(method, self.url + path, json=body, timeout=30,
                             headers={"X-Auth-Token": self.admin, **(headers or {})})
        if r.status_code >= 300:
            raise RuntimeError(f"keystone {method} {path}: {r.status_code} {r.text}")
        return r.json() if r.content else {}

    def _named(self, kind: str, name: str, body: dict[str, object]) -> str:
        """The id of a domain, project, user or role, created if it is not there."""
        key = f"{kind}:{name}:{body.get('domain_id', '')}"
        if key not in self._ids:
            created = self.call("POST", f"/{kind}s", {kind: {"name": name, **body}})
            self._ids[key] = str(created[kind]["id"])   # type: ignore[index]
        return self._ids[key]

    def domain(self, name: str) -> str:
        if name == "Default":
            return "default"
        return self._named("domain", name, {})

    def project(self, name: str, domain: str = "Default") -> str:
        return self._named("project", name, {"domain_id": self.domain(domain)})

    def role(self, name: str) -> str:
        found = self.call("GET", f"/roles?name={name}")["roles"]
        if found:
            return str(found[0]["id"])     # type: ignore[index]
        return self._named("role", name, {})

    def user(self, name: str, password: str, project: str, role: str,
             domain: str = "Default") -> str:
        """A user of `project` (in `domain`) with `role` on it; returns its id."""
        user_id = self._named("user", name, {"domain_id": self.domain(domain),
                                             "password": password})
        project_id = self.project(project, domain)
        self.call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{self.role(role)}")
        return user_id

    def ec2(self, user_id: str, project_id: str, access: str, secret: str) -> None:
        """An EC2 credential: S3 requests signed with `access`/`secret` act as the user."""
        blob = json.dumps({"access": access, "secret": secret})
        self.call("POST", "/credentials", {"credential": {
            "type": "ec2", "user_id": user_id, "project_id": project_id, "blob": blob}})

    def object_store(self, url: str) -> None:
        """The catalog's object-store endpoint (`$(project_id)s` in `url` is the token's
        project), where swiftclient and the `swift` CLI find their storage URL."""
        service = self.call("POST", "/services", {"service": {"type": "object-store",
                                                              "name": "swift"}})
        service_id = service["service"]["id"]     # type: ignore[index]
        for interface in ("public", "internal", "admin"):
            self.call("POST", "/endpoints", {"endpoint": {
                "service_id": service_id, "interface": interface, "url": url,
                "region_id": "RegionOne"}})

    def token(self, name: str, password: str, project: str, domain: str = "Default"
              ) -> str:
        """A project-scoped token of a user, as the `swift` CLI would get it."""
        return token_of(self.url, name, password, project, domain)


def token_of(url: str, name: str, password: str, project: str, domain: str = "Default"
             ) -> str:
    domain_ref = {"id": "default"} if domain == "Default" else {"name": domain}
    r = requests.post(url + "/auth/tokens", timeout=30, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": name, "domain": domain_ref, "password": password}}},
        "scope": {"project": {"name": project, "domain": domain_ref}}}})
    if r.status_code != 201:
        raise RuntimeError(f"keystone refused {name}: {r.status_code} {r.text}")
    return r.headers["X-Subject-Token"]


def _config(where: Path) -> Path:
    conf = where / "keystone.conf"
    conf.write_text(textwrap.dedent(f"""
        [DEFAULT]
        [database]
        connection = sqlite:///{where / "keystone.db"}
        [identity]
        # the fewest bcrypt rounds Keystone takes: every user made and every password
        # login hashes, and tests make and log in many
        password_hash_rounds = 4
        [token]
        provider = fernet
        expiration = 3600
        [fernet_tokens]
        key_repository = {where / "fernet"}
        [fernet_receipts]
        key_repository = {where / "receipts"}
        [credential]
        key_repository = {where / "credential"}
    """))
    return conf


def _template() -> Path:
    """A Keystone set up once (database migrated, fernet and credential keys, the admin
    bootstrapped) and kept in the virtualenv: each `keystone-manage` step is seconds of
    imports, so each test module copies this instead of running them again."""
    venv = ensure_venv()
    template = venv / "template"
    with open(ROOT / ".keystone-venv.lock", "w") as lock:   # scripts/test.sh makes one too
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            _make_template(venv, template)
    return template


def _make_template(venv: Path, template: Path) -> None:
    building = Path(tempfile.mkdtemp(prefix="template.", dir=venv))
    try:
        _set_up(venv, building)
        building.rename(template)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _set_up(venv: Path, building: Path) -> None:
    manage = [str(venv / "bin" / "keystone-manage"), "--config-file", str(_config(building))]
    owner = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
    for step in (["db_sync"], ["fernet_setup", *owner], ["credential_setup", *owner],
                 ["bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                  "--bootstrap-region-id", "RegionOne"]):
        subprocess.run(manage + step, check=True, capture_output=True)
    (building / "keystone.conf").unlink()         # written afresh for each copy


@contextmanager
def keystone(where: Path) -> Iterator[Keystone]:
    """Keystone set up afresh in `where` and served until the block ends."""
    shutil.copytree(_template(), where, dirs_exist_ok=True)
    conf, port = _config(where), free_port()
    url = f"http://127.0.0.1:{port}/v3"
    log = open(where / "keystone.log", "wb")  # noqa: SIM115 -- closed at the end
    proc = subprocess.Popen([str(VENV / "bin" / "python"), "-c", SERVE, str(conf),
                             str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"keystone exited: see {where / 'keystone.log'}")
            try:
                admin = token_of(url, "admin", ADMIN_PASSWORD, "admin")
                break
            except (requests.ConnectionError, RuntimeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield Keystone(url, admin)
    finally:
        stop_gracefully(proc)
        log.close()


if __name__ == "__main__":      # scripts/test.sh: made in the background, before it is needed
    _template()

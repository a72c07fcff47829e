"""rclone and s3cmd (Debian's packages, installed by scripts/test.sh) against a real
`objectstore serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def run(cmd: list[str], cwd: Path | None = None) -> str:
    # An AWS_CA_BUNDLE in the environment makes rclone's S3 client refuse plain http.
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


def tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    (root / "sub" / "ü ñ.txt").write_text("unicode")


def test_rclone_copy_sync_check(server: str, tmp_path: Path) -> None:
    rclone = shutil.which("rclone")
    assert rclone, "scripts/test.sh installs rclone"
    conf = tmp_path / "rclone.conf"
    conf.write_text("[os]\ntype = s3\nprovider = Other\naccess_key_id = test:tester\n"
                    f"secret_access_key = testing\nendpoint = {server}\nregion = us-east-1\n"
                    "force_path_style = true\n")
    base = [rclone, "--config", str(conf)]
    src = tmp_path / "src"
    tree(src)
    bucket = f"os:rc-{os.urandom(4).hex()}"
    run([*base, "mkdir", bucket])
    run([*base, "copy", str(src), bucket])
    run([*base, "check", str(src), bucket])
    (src / "a.txt").write_text("changed")
    (src / "sub" / "b.bin").unlink()
    run([*base, "sync", str(src), bucket])
    run([*base, "check", str(src), bucket])
    assert sorted(run([*base, "lsf", "-R", bucket]).split("\n")) == sorted(
        ["", "a.txt", "sub/", "sub/ü ñ.txt"])
    dest = tmp_path / "dest"
    run([*base, "copy", bucket, str(dest)])
    assert (dest / "a.txt").read_text() == "changed"


def s3cmd_command(server: str, tmp_path: Path) -> list[str]:
    """s3cmd with a config for the default user of `server` (path-style, plain http)."""
    s3cmd = shutil.which("s3cmd")
    assert s3cmd, "scripts/test.sh installs s3cmd"
    host = server.removeprefix("http://")
    cfg = tmp_path / "s3cfg"
    cfg.write_text(f"[default]\naccess_key = test:tester\nsecret_key = testing\n"
                   f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
                   "signature_v2 = False\nbucket_location = us-east-1\n")
    return [s3cmd, "-c", str(cfg)]


def test_s3cmd(server: str, tmp_path: Path) -> None:
    base = s3cmd_command(server, tmp_path)
    bucket = f"s3://sc-{os.urandom(4).hex()}"
    src = tmp_path / "file.bin"
    src.write_bytes(os.urandom(200_000))
    run([*base, "mb", bucket])
    run([*base, "put", str(src), f"{bucket}/dir/file.bin"])
    assert "dir/file.bin" in run([*base, "ls", "-r", bucket])
    back = tmp_path / "back.bin"
    run([*base, "get", f"{bucket}/dir/file.bin", str(back)])
    assert back.read_bytes() == src.read_bytes()
    run([*base, "del", f"{bucket}/dir/file.bin"])
    run([*base, "rb", bucket])

"""scripts/test and scripts/install-libreoffice: a held apt lock is waited for, and a failed
LibreOffice install leaves the suite running (its LibreOffice tests skip) instead of aborting it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ["scripts/test", "scripts/install-libreoffice", "scripts/install-pyodide", ".ci/run"]
INSTALL = ROOT / "scripts" / "install-libreoffice"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


@pytest.mark.parametrize("script", SCRIPTS)
def test_bash_accepts_the_script(script: str) -> None:
    checked = subprocess.run([str(BASH), "-n", str(ROOT / script)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "set -euo pipefail" in (ROOT / script).read_text("utf-8")


def test_scripts_test_installs_libreoffice_through_the_script_that_waits_for_the_lock() -> None:
    text = (ROOT / "scripts" / "test").read_text("utf-8")
    assert "scripts/install-libreoffice" in text and "apt-get" not in text


def fake_command(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!{BASH}\n{body}\n", "utf-8")
    path.chmod(0o755)


def run_install(tmp_path: Path, *, uid: int = 0, apt_get: str | None = "exit 0",
                sudo: bool = False) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run install-libreoffice with a PATH that holds only fakes: no soffice, the given apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    env_path = shutil.which("env")
    assert env_path is not None
    (bin_dir / "env").symlink_to(env_path)
    fake_command(bin_dir, "id", f"echo {uid}")
    if apt_get is not None:
        fake_command(bin_dir, "apt-get", f'echo "$DEBIAN_FRONTEND $*" >> {calls}\n{apt_get}')
    if sudo:
        fake_command(bin_dir, "sudo", f'echo "sudo" >> {calls}\nexec "$@"')
    result = subprocess.run([str(BASH), str(INSTALL)], capture_output=True, text=True, check=False, timeout=60,
                            env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    return result, calls.read_text("utf-8").splitlines() if calls.exists() else []


LOCK = "-o DPkg::Lock::Timeout=600"
PACKAGES = "libreoffice-calc-nogui libreoffice-impress-nogui"
# uid, the fake apt-get, whether sudo exists; what apt-get was asked; what stderr says.
CASES: dict[str, tuple[int, str | None, bool, list[str], str]] = {
    "installed as root": (0, "exit 0", False, [
        f"noninteractive {LOCK} update -qq", f"noninteractive {LOCK} install -y -qq {PACKAGES}"], ""),
    "installed with sudo": (1000, "exit 0", True, [
        "sudo", f"noninteractive {LOCK} update -qq", "sudo",
        f"noninteractive {LOCK} install -y -qq {PACKAGES}"], ""),
    "the lock is still held": (0, 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100', False,
                               [f"noninteractive {LOCK} update -qq"], "the LibreOffice tests will skip"),
    "the install fails": (0, '[ "$3" = update ] || exit 100', False, [
        f"noninteractive {LOCK} update -qq", f"noninteractive {LOCK} install -y -qq {PACKAGES}"],
        "the LibreOffice tests will skip"),
    "no sudo": (1000, "exit 0", False, [], f"no sudo to install {PACKAGES}; the LibreOffice tests "
                "will skip"),
    "no apt-get": (0, None, False, [], ""),
}


@pytest.mark.parametrize(("uid", "apt_get", "sudo", "asked", "says"), CASES.values(), ids=CASES.keys())
def test_install_libreoffice_waits_for_the_lock_and_never_aborts_the_run(
    tmp_path: Path, uid: int, apt_get: str | None, sudo: bool, asked: list[str], says: str
) -> None:
    result, calls = run_install(tmp_path, uid=uid, apt_get=apt_get, sudo=sudo)
    assert result.returncode == 0, result.stderr
    assert calls == asked
    if says:
        assert says in result.stderr
    else:
        assert "skip" not in result.stderr


def test_install_libreoffice_does_nothing_when_libreoffice_is_there(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_command(bin_dir, "soffice", "exit 0")
    fake_command(bin_dir, "grep", "exit 0")  # dpkg-query's answer for Impress: "install ok installed"
    fake_command(bin_dir, "dpkg-query", "echo install ok installed")
    fake_command(bin_dir, "apt-get", f"touch {tmp_path / 'called'}")
    result = subprocess.run([str(BASH), str(INSTALL)], capture_output=True, text=True, check=False, timeout=60,
                            env={"PATH": str(bin_dir), "HOME": str(tmp_path), **{"LANG": os.environ.get("LANG", "C")}})
    assert result.returncode == 0 and result.stdout == "" and not (tmp_path / "called").exists()


def test_install_pyodide_without_node_says_why_and_lets_the_suite_run(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "mkdir"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    done = subprocess.run([str(BASH), str(ROOT / "scripts" / "install-pyodide")], capture_output=True, text=True,
                          env={"PATH": str(bin_dir)}, check=False)
    assert done.returncode == 0
    assert "node and npm are not installed; the Pyodide test will skip." in done.stderr


def test_scripts_test_installs_pyodide_after_the_virtual_environment() -> None:
    text = (ROOT / "scripts" / "test").read_text("utf-8")
    assert text.index("\nscripts/install-pyodide") > text.index("pip install -q -e")


def test_install_libreoffice_adds_impress_where_only_calc_is_there(tmp_path: Path) -> None:
    """The meeting deck's PDF needs Impress: a LibreOffice with Calc alone is not enough."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "env").symlink_to(str(shutil.which("env")))
    fake_command(bin_dir, "soffice", "exit 0")
    fake_command(bin_dir, "grep", "exit 1")  # dpkg-query knows no Impress
    fake_command(bin_dir, "dpkg-query", "exit 1")
    fake_command(bin_dir, "id", "echo 0")
    fake_command(bin_dir, "apt-get", f'echo "$*" >> {calls}')
    result = subprocess.run([str(BASH), str(INSTALL)], capture_output=True, text=True, check=False, timeout=60,
                            env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert calls.read_text("utf-8").splitlines()[-1] == (
        f"{LOCK} install -y -qq {PACKAGES}")

"""The workbook's file as people's file systems hold it: on a folder two machines share, behind
a symbolic link, owned by someone else.

Two machines are two sheetops processes with lock folders of their own (a different
``XDG_RUNTIME_DIR`` each): neither sees the other's lock, as on two computers sharing a
folder. Each runs the real command (``python -m sheetops sync``, through :mod:`runpy`)
with one thing added by the test: before writing, it waits at a barrier until the other
has read the workbook and computed its figures too, so that both always write from the
same version at the same moment (what a large file or bad luck gives now and then). The permission tests run as
root and drop to the unprivileged user ``nobody`` in a child process.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from xlsx_books import PeopleWorkbook, large_demo, marks, sync_write

from sheetops import api
from sheetops.backends.xlsx import XlsxBackend, atomic
from sheetops.errors import WorkbookLockedError

AS_OF = dt.date(2026, 11, 27)
DAYS = 3000  # 21,000 Daily rows: the Daily part is several MB

ROUNDS = 5
EXIT_OK, EXIT_REFUSED = 0, 2  # the refusal is `workbook_locked` (docs/cli.md)
NOBODY = 65534
SOMEONE_ELSE = (4321, 4322)  # an owner and a group that are neither root nor nobody

# `python -m sheetops sync ...`, with a barrier between the read and the write: each process,
# its figures computed, marks that it is about to write and waits (up to a minute) until
# every other one has got that far too.
MACHINE = r"""
import runpy, sys, time
from pathlib import Path
from sheetops.backends.xlsx import XlsxBackend

barrier, others, name = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
write = XlsxBackend.write

def wait_then_write(self, changes):
    (barrier / f"{name}.ready").touch()
    deadline = time.monotonic() + 60
    while len(list(barrier.glob("*.ready"))) <= others and time.monotonic() < deadline:
        time.sleep(0.005)
    write(self, changes)

XlsxBackend.write = wait_then_write
sys.argv = ["sheetops", *sys.argv[4:]]
runpy.run_module("sheetops", run_name="__main__", alter_sys=True)
"""

# A sync as the user nobody. Every module a sync imports is imported first, by a sync of a
# copy run as root, because the interpreter's own folder may be closed to nobody.
AS_NOBODY = r"""
import os, sys
from sheetops.cli import main

warm_up, warm_up_locks, workbook, locks = sys.argv[1:5]
os.environ["XDG_RUNTIME_DIR"] = warm_up_locks
sys.argv = ["sheetops", "sync", warm_up, "--as-of", "2026-11-27", "--quiet"]
try:
    main()
except SystemExit as done:
    assert done.code == 0, done.code
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
os.environ["XDG_RUNTIME_DIR"] = locks
sys.argv = ["sheetops", "sync", workbook, "--as-of", "2026-11-27", "--quiet"]
main()
"""


def log_rows(path: Path) -> int:
    """How many rows the Sync Log has below its header."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sync Log").to_python()
    return sum(1 for row in rows[1:] if any(value not in ("", None) for value in row))


@pytest.fixture(scope="module")
def large_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English demo's tabs with 21,000 Daily rows."""
    return large_demo(tmp_path_factory.mktemp("large"), AS_OF, DAYS)


# -- two machines, one shared folder --------------------------------------------------------


def test_two_machines_syncing_at_once_never_lose_a_sync(large_xlsx: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    path = shared / "marketing.xlsx"
    shutil.copyfile(large_xlsx, path)
    machines = ("laptop", "desktop")
    for rnd in range(ROUNDS):
        barrier = tmp_path / f"barrier-{rnd}"
        barrier.mkdir()
        before = log_rows(path)
        runs = []
        for name in machines:
            locks = tmp_path / f"runtime-{name}"
            locks.mkdir(exist_ok=True)
            env = {**os.environ, "XDG_RUNTIME_DIR": str(locks)}
            command = [sys.executable, "-c", MACHINE, str(barrier), str(len(machines) - 1), name,
                       "sync", str(path), "--as-of", AS_OF.isoformat(), "--quiet"]  # fmt: skip
            runs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
        codes = [code for code, _, _ in results]
        assert all(code in (EXIT_OK, EXIT_REFUSED) for code in codes), results
        assert log_rows(path) - before == codes.count(EXIT_OK), (rnd, results)
        assert codes.count(EXIT_OK) >= 1, results
        for code, _, err in results:
            if code == EXIT_REFUSED:
                assert "someone else wrote the workbook while this sync ran" in err, err
                assert "Nothing was written" in err and "run the sync again" in err, err
        assert sorted(p.name for p in shared.iterdir()) == [path.name]


def test_a_workbook_replaced_between_the_writes_two_looks_at_it_is_refused_as_written_meanwhile(
    large_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another computer's sync replaces the file after this sync's last check, between its
    reading the package's directory and opening the bytes it copies: refused as any
    write-meanwhile is (exit 2, which a scheduled run retries), and the other sync's file
    is kept as it is."""
    from sheetops.backends.xlsx import patcher

    path = tmp_path / "marketing.xlsx"
    shutil.copyfile(large_xlsx, path)
    theirs = tmp_path / "theirs.xlsx"
    shutil.copyfile(large_xlsx, theirs)
    api.sync(theirs, as_of=dt.date(2026, 11, 20))  # the other computer's: other marks, one more log row
    newer = theirs.read_bytes()
    original = patcher.open_package

    def replaced_after(*args: object, **kwargs: object) -> object:
        package = original(*args, **kwargs)  # type: ignore[arg-type]
        staged = tmp_path / "staged.xlsx"
        staged.write_bytes(newer)
        os.replace(staged, path)
        return package

    monkeypatch.setattr(patcher, "open_package", replaced_after)
    with pytest.raises(WorkbookLockedError, match="someone else wrote the workbook while this sync ran"):
        api.sync(path, as_of=AS_OF)
    assert path.read_bytes() == newer


# Another sync at its moment of checking and replacing the workbook: it holds the guard,
# and replaces the workbook when told to.
GUARD_HOLDER = r"""
import fcntl, os, sys
from sheetops.backends.xlsx.atomic import GUARD_BYTE

path, newer = sys.argv[1:3]
fd = os.open(path, os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 1, GUARD_BYTE)
print("holding", flush=True)
sys.stdin.readline()
os.replace(newer, path)
os.close(fd)
"""


def _hold_guard(path: Path, newer: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", GUARD_HOLDER, str(path), str(newer)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


def test_a_sync_waits_for_another_one_replacing_the_workbook_then_finds_it_replaced(
    workbook: PeopleWorkbook, tmp_path: Path
) -> None:
    newer = shutil.copyfile(workbook.path, tmp_path / "newer.xlsx")  # what the other sync saves
    saved = newer.read_bytes()
    backend = XlsxBackend(workbook.path)
    backend.read()
    holder = _hold_guard(workbook.path, newer)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            backend.write(sync_write(marks(workbook)))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.5)
    assert writer.is_alive()  # its new file is written; it waits to check and replace
    holder.communicate("go\n", timeout=30)
    writer.join(timeout=30)
    assert len(failures) == 1 and isinstance(failures[0], WorkbookLockedError), failures
    assert "someone else wrote the workbook while this sync ran" in str(failures[0])
    assert workbook.path.read_bytes() == saved
    assert sorted(p.name for p in workbook.path.parent.iterdir()) == [workbook.path.name]


def test_a_guard_held_too_long_is_a_refusal(
    workbook: PeopleWorkbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic, "GUARD_WAIT", 0.3)
    before = workbook.path.read_bytes()
    holder = _hold_guard(workbook.path, tmp_path / "never.xlsx")
    try:
        with pytest.raises(WorkbookLockedError, match="kept the workbook locked.*Nothing was written"):
            XlsxBackend(workbook.path).write(sync_write(marks(workbook)))
    finally:
        holder.kill()
        holder.communicate()
    assert workbook.path.read_bytes() == before
    assert sorted(p.name for p in workbook.path.parent.iterdir()) == [workbook.path.name]


# -- symbolic links ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "relative", "chain of two"])
def test_a_workbook_reached_through_a_link_is_written_through_it(demo_xlsx: Path, tmp_path: Path, how: str) -> None:
    shortcuts = tmp_path / "shortcuts"
    shortcuts.mkdir()
    link = shortcuts / "this week.xlsx"
    if how == "absolute":
        link.symlink_to(demo_xlsx)
    elif how == "relative":
        link.symlink_to(Path("..") / demo_xlsx.name)
    else:
        middle = shortcuts / "middle.xlsx"
        middle.symlink_to(demo_xlsx)
        link.symlink_to(middle.name)
    before, points_to = log_rows(demo_xlsx), os.readlink(link)
    api.sync(link, as_of=AS_OF)
    assert link.is_symlink() and os.readlink(link) == points_to
    assert demo_xlsx.is_file() and not demo_xlsx.is_symlink()
    assert log_rows(demo_xlsx) == before + 1
    assert sorted(p.name for p in demo_xlsx.parent.iterdir()) == sorted([demo_xlsx.name, "shortcuts"])
    assert all(p.is_symlink() for p in shortcuts.iterdir())


def test_the_link_keeps_pointing_where_it_pointed(demo_xlsx: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(demo_xlsx.name)
    api.sync(link, as_of=AS_OF)
    assert os.readlink(link) == demo_xlsx.name and link.resolve() == demo_xlsx.resolve()


# -- owners and permissions -------------------------------------------------------------------

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="changing a file's owner and running as another user needs root")


@pytest.fixture
def folder_of_nobody() -> Iterator[Path]:
    """A folder the user nobody can write, outside pytest's folders (closed to nobody)."""
    folder = Path(tempfile.mkdtemp(prefix="sheetops-nobody-"))
    os.chown(folder, NOBODY, NOBODY)
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


@needs_root
def test_a_file_the_user_may_not_write_is_refused_and_keeps_its_owner(
    demo_xlsx: Path, folder_of_nobody: Path, tmp_path: Path
) -> None:
    path = folder_of_nobody / "marketing.xlsx"
    shutil.copyfile(demo_xlsx, path)
    os.chown(path, *SOMEONE_ELSE)
    os.chmod(path, 0o644)
    before = path.read_bytes()
    locks = folder_of_nobody / "runtime"
    locks.mkdir(mode=0o700)
    os.chown(locks, NOBODY, NOBODY)
    warm_up_locks = tmp_path / "runtime-root"
    warm_up_locks.mkdir()
    warm_up = shutil.copyfile(demo_xlsx, tmp_path / "warm-up.xlsx")
    run = subprocess.run([sys.executable, "-c", AS_NOBODY, str(warm_up), str(warm_up_locks), str(path), str(locks)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (*SOMEONE_ELSE, 0o644), run
    assert path.read_bytes() == before
    assert run.returncode == EXIT_REFUSED, run
    assert "you may not change this file" in run.stderr and "Nothing was changed" in run.stderr, run.stderr
    assert sorted(p.name for p in folder_of_nobody.iterdir()) == ["marketing.xlsx", "runtime"]


@needs_root
def test_a_synced_file_keeps_its_owner_group_and_mode(demo_xlsx: Path) -> None:
    os.chown(demo_xlsx, *SOMEONE_ELSE)
    os.chmod(demo_xlsx, 0o640)
    before = log_rows(demo_xlsx)
    api.sync(demo_xlsx, as_of=AS_OF)
    info = demo_xlsx.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (*SOMEONE_ELSE, 0o640)
    assert log_rows(demo_xlsx) == before + 1

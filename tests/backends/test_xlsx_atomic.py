"""A sync leaves the old workbook or the new one, never a broken one, never runs twice,
and leaves nothing else in the workbook's folder.

The kill test runs real syncs in child processes on a 50,000-row workbook and kills them
with SIGKILL at random moments, then checks that the file is exactly one of the two
workbooks a sync can leave. The lock tests put Excel's and LibreOffice's lock files
beside the workbook, and hold sheetops' own lock (a file in the user's private lock
folder) from another process.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from xlsx_books import PeopleWorkbook, marks, people_workbook, read_parts, sheet_part, sync_write

from sheetops.backends import Highlight, SyncWrite
from sheetops.backends.xlsx import LOCK_FOLDER, XlsxBackend, lock_file
from sheetops.backends.xlsx.atomic import temp_prefix
from sheetops.backends.xlsx.repack import PackageEdit
from sheetops.errors import BackendError, WorkbookError, WorkbookLockedError

BIG_DAILY_ROWS = 50_000
KILLS = 15
CHILD = r"""
import pickle, sys
from pathlib import Path
from sheetops.backends.xlsx import XlsxBackend
path, changes = Path(sys.argv[1]), pickle.loads(Path(sys.argv[2]).read_bytes())
backend = XlsxBackend(path)
with backend.lock():
    print("locked", flush=True)
    if changes is None:
        sys.stdin.readline()  # hold the lock until told to go
    else:
        backend.write(changes)
print("done", flush=True)
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_child(path: Path, changes: SyncWrite | None, folder: Path) -> subprocess.Popen[str]:
    """A sheetops run in another process: it takes the lock, then syncs (or waits)."""
    order = folder / f"{time.monotonic_ns()}.pickle"
    order.write_bytes(pickle.dumps(changes))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(order)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line == "locked\n", line + (child.stderr.read() if child.stderr else "")
    return child


def leftovers(path: Path) -> list[str]:
    """What a run left beside the workbook: the workbook's folder should hold nothing else."""
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


@pytest.fixture
def orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder, away from the workbook's, for what the tests hand to child processes."""
    return tmp_path_factory.mktemp("orders")


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory: pytest.TempPathFactory) -> PeopleWorkbook:
    folder = tmp_path_factory.mktemp("big")
    return people_workbook(folder / "big.xlsx", daily_rows=BIG_DAILY_ROWS)


def _alternating_marks(book: PeopleWorkbook) -> tuple[SyncWrite, SyncWrite]:
    """Two syncs that each change the big Daily part, and nothing else grows."""
    low = tuple(Highlight(book.daily, r, 2, note=f"Spend on row {r + 1}") for r in range(100, 40_000, 2_000))
    high = tuple(Highlight(book.daily, r, 5, note=f"Orders on row {r + 1}") for r in range(1_000, 49_000, 2_500))
    return sync_write(marks(book) + low, row=()), sync_write(high, row=())


# -- killed at any moment --------------------------------------------------------------


def test_a_sync_killed_at_any_moment_leaves_the_old_or_the_new_workbook(
    big_workbook: PeopleWorkbook, tmp_path: Path, orders: Path
) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(big_workbook.path.read_bytes())
    first, second = _alternating_marks(big_workbook)
    backend = XlsxBackend(path)
    # After one round the workbook alternates between two states, each sync giving the
    # same bytes every time: these are the only two files a killed sync may leave.
    durations: list[float] = []
    states: dict[str, str] = {}
    for step, (name, changes) in enumerate([("first", first), ("second", second)] * 2 + [("first", first)]):
        started = time.perf_counter()
        backend.write(changes)
        durations.append(time.perf_counter() - started)
        if step >= 2:
            assert states.setdefault(name, digest(path)) == digest(path)
    window = max(durations) * 1.3 + 0.05

    rng = random.Random(20261127)
    for _ in range(KILLS):
        now = digest(path)
        target = first if now == states["second"] else second
        child = start_child(path, target, orders)
        time.sleep(rng.uniform(0, window))
        child.send_signal(signal.SIGKILL)
        child.communicate()
        assert digest(path) in (states["first"], states["second"])
        left = leftovers(path)
        assert all(name.startswith(temp_prefix(path)) and name.endswith(".tmp") for name in left), left
    with backend.lock():  # the next run removes what killed runs left
        pass
    assert leftovers(path) == []
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None


def test_a_failed_write_leaves_the_workbook_and_no_temporary_file(
    workbook: PeopleWorkbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = workbook.path.read_bytes()

    def disk_full(self: PackageEdit, out: object) -> None:
        out.write(b"PK\x03\x04 half a package")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PackageEdit, "write_to", disk_full)
    with pytest.raises(BackendError, match="No space left on device.*Nothing was changed"):
        XlsxBackend(workbook.path).write(sync_write(marks(workbook)))
    assert workbook.path.read_bytes() == before
    assert leftovers(workbook.path) == []


def test_the_workbook_keeps_its_permissions(workbook: PeopleWorkbook) -> None:
    os.chmod(workbook.path, 0o640)
    XlsxBackend(workbook.path).write(sync_write(marks(workbook)))
    assert workbook.path.stat().st_mode & 0o777 == 0o640


def test_a_sync_that_changes_nothing_does_not_rewrite_the_file(workbook: PeopleWorkbook) -> None:
    XlsxBackend(workbook.path).write(sync_write(marks(workbook), row=()))
    inode = workbook.path.stat().st_ino
    XlsxBackend(workbook.path).write(sync_write(marks(workbook), row=()))
    assert workbook.path.stat().st_ino == inode


# -- locks -------------------------------------------------------------------------------


@pytest.fixture
def sheetops_lock_holder(workbook: PeopleWorkbook, orders: Path) -> Iterator[subprocess.Popen[str]]:
    child = start_child(workbook.path, None, orders)
    yield child
    child.communicate("go\n", timeout=30)


@pytest.mark.parametrize(
    ("lock_name", "program"),
    [("~$marketing.xlsx", "Excel"), (".~lock.marketing.xlsx#", "LibreOffice")],
)
def test_a_workbook_open_in_a_spreadsheet_program_is_refused_and_left_untouched(
    workbook: PeopleWorkbook, lock_name: str, program: str
) -> None:
    before = read_parts(workbook.path)
    stamp = workbook.path.stat().st_mtime_ns
    (workbook.path.parent / lock_name).write_text("owner")
    backend = XlsxBackend(workbook.path)
    with pytest.raises(WorkbookLockedError, match=f"open in {program}.*close it there"), backend.lock():
        pass
    with pytest.raises(WorkbookLockedError, match=program):
        backend.write(sync_write(marks(workbook)))
    assert read_parts(workbook.path) == before and workbook.path.stat().st_mtime_ns == stamp


def test_a_workbook_opened_during_the_sync_is_not_written(workbook: PeopleWorkbook) -> None:
    before = workbook.path.read_bytes()
    backend = XlsxBackend(workbook.path)
    with backend.lock():
        (workbook.path.parent / "~$marketing.xlsx").write_text("owner")
        with pytest.raises(WorkbookLockedError, match="Excel"):
            backend.write(sync_write(marks(workbook)))
    assert workbook.path.read_bytes() == before


def test_a_second_sync_of_the_same_workbook_is_refused_while_the_first_runs(
    workbook: PeopleWorkbook, sheetops_lock_holder: subprocess.Popen[str]
) -> None:
    before = workbook.path.read_bytes()
    second = XlsxBackend(workbook.path)
    with pytest.raises(WorkbookLockedError, match="another sheetops sync is running"), second.lock():
        pass
    assert workbook.path.read_bytes() == before


def test_the_lock_is_free_again_when_the_first_sync_ends(workbook: PeopleWorkbook, orders: Path) -> None:
    child = start_child(workbook.path, None, orders)
    child.communicate("go\n", timeout=30)
    with XlsxBackend(workbook.path).lock():
        XlsxBackend(workbook.path).write(sync_write(marks(workbook)))
    assert "sheetops" in read_parts(workbook.path)["xl/comments1.xml"].decode()


def test_a_killed_sync_does_not_keep_the_workbook_locked(workbook: PeopleWorkbook, orders: Path) -> None:
    child = start_child(workbook.path, None, orders)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    stale = workbook.path.with_name(temp_prefix(workbook.path) + "x1y2z3.tmp")
    stale.write_bytes(b"PK half a package")
    with XlsxBackend(workbook.path).lock():
        assert not stale.exists()


# -- nothing left beside the workbook ------------------------------------------------------


@pytest.fixture
def runtime_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's runtime folder ($XDG_RUNTIME_DIR), a private one for this test."""
    folder = tmp_path_factory.mktemp("runtime")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


def test_the_lock_lives_in_a_private_folder_of_the_user(workbook: PeopleWorkbook, runtime_dir: Path) -> None:
    backend = XlsxBackend(workbook.path)
    with backend.lock():
        assert leftovers(workbook.path) == []
        assert backend.lock_path.parent == runtime_dir / LOCK_FOLDER
        assert backend.lock_path.name == hashlib.sha256(str(workbook.path.resolve()).encode()).hexdigest() + ".lock"
        assert backend.lock_path.parent.stat().st_mode & 0o777 == 0o700
    assert leftovers(workbook.path) == []


def test_the_lock_folder_is_in_the_temporary_folder_without_a_runtime_folder(
    workbook: PeopleWorkbook, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    temp = tmp_path_factory.mktemp("temp")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    with XlsxBackend(workbook.path).lock():
        (folder,) = temp.iterdir()
    assert folder.name == f"{LOCK_FOLDER}-{os.getuid()}" and folder.stat().st_mode & 0o777 == 0o700


def test_every_path_to_one_workbook_shares_one_lock(
    workbook: PeopleWorkbook,
    runtime_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = tmp_path_factory.mktemp("shortcut") / "this week.xlsx"
    link.symlink_to(workbook.path)
    monkeypatch.chdir(workbook.path.parent)
    assert lock_file(Path(workbook.path.name)) == lock_file(link) == lock_file(workbook.path)
    second = XlsxBackend(Path(workbook.path.name))
    with XlsxBackend(link).lock(), pytest.raises(WorkbookLockedError, match="another sheetops sync"), second.lock():
        pass


def test_a_lock_folder_that_is_not_a_folder_of_the_user_is_refused(
    workbook: PeopleWorkbook, runtime_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (runtime_dir / LOCK_FOLDER).symlink_to(elsewhere)
    before = workbook.path.read_bytes()
    refused = pytest.raises(BackendError, match=f"{LOCK_FOLDER} is where sheetops keeps its lock files.*remove it")
    with refused, XlsxBackend(workbook.path).lock():
        pass
    assert list(elsewhere.iterdir()) == [] and workbook.path.read_bytes() == before


def test_a_whole_sync_leaves_only_the_workbook_in_its_folder(demo_xlsx: Path, runtime_dir: Path) -> None:
    import datetime as dt

    from sheetops import api

    api.sync(demo_xlsx, as_of=dt.date(2026, 11, 27))
    assert sorted(p.name for p in demo_xlsx.parent.iterdir()) == [demo_xlsx.name]


def test_a_missing_workbook_is_refused_before_anything_is_locked(tmp_path: Path, runtime_dir: Path) -> None:
    with pytest.raises(WorkbookError, match="no such file"), XlsxBackend(tmp_path / "marketing.xlsx").lock():
        pass
    assert list(tmp_path.iterdir()) == [] and list(runtime_dir.iterdir()) == []


def test_a_workbook_saved_again_since_it_was_read_is_not_written(workbook: PeopleWorkbook) -> None:
    backend = XlsxBackend(workbook.path)
    with backend.lock():
        backend.read()
        saved = workbook.path.read_bytes()  # a person on another machine saves the file
        workbook.path.write_bytes(saved)
        stamp = workbook.path.stat().st_mtime_ns + 1_000_000_000
        os.utime(workbook.path, ns=(stamp, stamp))
        with pytest.raises(WorkbookLockedError, match="someone else wrote the workbook while this sync ran"):
            backend.write(sync_write(marks(workbook)))
    assert workbook.path.read_bytes() == saved


def test_its_own_write_does_not_count_as_a_save_by_someone_else(workbook: PeopleWorkbook) -> None:
    daily = sheet_part(workbook.path, workbook.daily)
    before = read_parts(workbook.path)[daily]
    backend = XlsxBackend(workbook.path)
    with backend.lock():
        backend.read()
        backend.write(sync_write(marks(workbook)))
        backend.write(sync_write(()))
    assert read_parts(workbook.path)[daily] == before

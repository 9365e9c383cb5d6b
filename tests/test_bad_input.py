"""A file that is not a usable workbook: exit code 2, one line that names the file and the
problem, no traceback, and nothing on disk changed or added.

Each case is run through the command line, for ``check`` and for ``sync``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from check_helpers import Book, run_sheetops

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def missing_file(folder: Path) -> Path:
    return folder / "marketing.xlsx"


def a_folder(folder: Path) -> Path:
    path = folder / "reports"
    path.mkdir()
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "marketing.xlsx"
    path.write_bytes(b"")
    return path


def text_renamed_xlsx(folder: Path) -> Path:
    path = folder / "marketing.xlsx"
    path.write_text("Week;Channel;Spend\n2026-11-16;Blog;100\n", encoding="utf-8")
    return path


def truncated_workbook(folder: Path) -> Path:
    path = Book("en").write(folder / "marketing.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def workbook_with_a_corrupt_part(folder: Path) -> Path:
    """A whole ZIP whose sheet data no longer matches its checksum (a flipped byte)."""
    path = Book("en").write(folder / "marketing.xlsx")
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet2.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def zip_without_a_workbook(folder: Path) -> Path:
    path = folder / "marketing.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("notes.txt", "not a workbook")
    return path


def word_document(folder: Path) -> Path:
    path = folder / "marketing.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return path


def csv_file(folder: Path) -> Path:
    path = folder / "marketing.csv"
    path.write_text("Week,Channel,Spend\n2026-11-16,Blog,100\n", encoding="utf-8")
    return path


def xlsb_workbook(folder: Path) -> Path:
    path = folder / "marketing.xlsb"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return path


def password_protected(folder: Path) -> Path:
    import msoffcrypto  # the test extra brings it
    plain = Book("en").write(folder / "plain.xlsx")
    path = folder / "marketing.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        msoffcrypto.OfficeFile(source).encrypt("secret", target)
    plain.unlink()
    return path


def old_xls(folder: Path) -> Path:
    """An OLE compound file, as Excel 97-2003 saved, without encryption streams."""
    path = folder / "marketing.xls"
    header = OLE_MAGIC + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(512 - 32)
    path.write_bytes(header + "Workbook".encode("utf-16-le") + bytes(1024))
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing file": (missing_file, "no such file"),
    "a folder": (a_folder, "this is a folder, not a workbook file"),
    "an empty file": (empty_file, "the file is empty (0 bytes)"),
    "a text file named .xlsx": (text_renamed_xlsx, "not an Excel workbook (the file holds text)"),
    "a truncated workbook": (truncated_workbook, "the workbook is damaged (it cannot be opened as an .xlsx file)"),
    "a corrupt part": (workbook_with_a_corrupt_part, "open it in Excel, which may repair it"),
    "a packed file that is not a workbook": (zip_without_a_workbook, "not an Excel workbook, though it is packed "
                                             "like one; give the path of an .xlsx file (Excel workbook)"),
    "a Word document": (word_document, "this is a Word document, not an Excel workbook"),
    "password-protected": (password_protected, "the workbook is password-protected"),
    "an old .xls": (old_xls, "this workbook is in the old Excel format (.xls, Excel 97-2003); open it in Excel or "
                    "LibreOffice and save it as .xlsx (Excel workbook)"),
    "a CSV file": (csv_file, "this is a CSV file: it holds one table, not a workbook with tabs"),
    "an .xlsb workbook": (xlsb_workbook, "this is an Excel binary workbook (.xlsb); open it in Excel and save it "
                          "as .xlsx (Excel workbook)"),
}
# What a person who is not a programmer must never read about a file sheetops cannot use.
JARGON = ("Cfb", "OLE", "ZIP", "zip", "package", "Traceback", "\\x")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def assert_refused(argv: list[str], make: Callable[[Path], Path], says: str, folder: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    path = make(folder)
    before = snapshot(folder)
    code, out, err = run_sheetops([argv[0], str(path), *argv[1:]], capsys)
    assert code == 2
    if "--json" in argv:  # the error is one JSON object on stdout, nothing on stderr
        assert err == ""
        error = json.loads(out)
        assert (error["error"], error["exit_code"]) == ("workbook_unusable", 2)
        line = error["message"]
    else:
        assert out == ""
        (line,) = err.strip().splitlines()
    assert str(path) in line
    assert says in line
    assert ".xlsx" in line
    assert [word for word in JARGON if word in line] == []
    assert "Traceback" not in err
    assert snapshot(folder) == before


@pytest.mark.parametrize(("make", "says"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("argv", [["check"], ["check", "--json"]], ids=["check", "check --json"])
def test_check_refuses_what_is_not_a_usable_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     argv: list[str], make: Callable[[Path], Path],
                                                     says: str) -> None:
    assert_refused(argv, make, says, tmp_path, capsys)


@pytest.mark.parametrize(("make", "says"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("argv", [["sync", "--as-of", "2026-11-27"], ["sync", "--dry-run", "--json"]],
                         ids=["sync", "sync --dry-run --json"])
def test_sync_refuses_what_is_not_a_usable_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    argv: list[str], make: Callable[[Path], Path],
                                                    says: str) -> None:
    assert_refused(argv, make, says, tmp_path, capsys)


def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = truncated_workbook(tmp_path)
    result = subprocess.run([sys.executable, "-m", "sheetops", "check", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: the workbook is damaged (it cannot be opened as an .xlsx file); "
        "open it in Excel, which may repair it, or restore it from a backup or version history."
    ]


# Files saved by LibreOffice in the formats people most often hand over instead of an .xlsx:
# the format, the name given to the file, what the message says.
SAVED_AS: dict[str, tuple[str, str, str]] = {
    "ods": ("ods", "marketing.ods", "this is an OpenDocument spreadsheet (.ods), not an Excel workbook; open it "
                                    "in LibreOffice and save it as Excel 2007-365 (.xlsx)"),
    "xls": ("xls", "marketing.xls", "this workbook is in the old Excel format (.xls, Excel 97-2003)"),
    "csv": ("csv", "marketing.csv", "this is a CSV file: it holds one table, not a workbook with tabs"),
    "ods named .xlsx": ("ods", "marketing.xlsx", "this is an OpenDocument spreadsheet (.ods), not an Excel "
                                                 "workbook"),
    "xls named .xlsx": ("xls", "marketing.xlsx", "this workbook is in the old Excel format (.xls, Excel 97-2003)"),
}


@pytest.fixture(scope="module")
def saved_by_libreoffice(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo workbook saved by LibreOffice as .ods, .xls and .csv."""
    from sheetops import api

    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "marketing.xlsx"
    api.provision(source, demo=True)
    saved = {}
    for target in ("ods", "xls", "csv"):
        result = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
             "--convert-to", target, "--outdir", str(folder / target), str(source)],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        saved[target] = folder / target / f"marketing.{target}"
        assert result.returncode == 0 and saved[target].exists(), result.stdout + result.stderr
    return saved


@pytest.mark.parametrize(("target", "name", "says"), SAVED_AS.values(), ids=SAVED_AS.keys())
@pytest.mark.parametrize("argv", [["check"], ["sync", "--dry-run"], ["sync", "--json"]],
                         ids=["check", "sync --dry-run", "sync --json"])
def test_a_workbook_saved_in_another_format_is_refused_with_what_to_do(
    saved_by_libreoffice: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    target: str, name: str, says: str
) -> None:
    def make(folder: Path) -> Path:
        return Path(shutil.copyfile(saved_by_libreoffice[target], folder / name))

    assert_refused(argv, make, says, tmp_path, capsys)

"""The repository itself: no file carries a leftover merge-conflict marker."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<" * 7 + " ", "=" * 7 + "\n", ">" * 7 + " ")


def tracked_text_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # an unpacked sdist has no git
        listed = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    suffixes = {".py", ".md", ".cfg", ".toml", ".txt", ".in", ".js", ".html", ".css", ""}
    return [ROOT / name for name in listed if Path(name).suffix in suffixes]


def test_no_merge_conflict_markers() -> None:
    found = []
    for path in tracked_text_files():
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        found += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(lines, 1)
            if line.startswith(MARKERS)
        ]
    assert found == []

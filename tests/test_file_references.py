"""Every test file (and test) the package, the docs and the tests name exists: a file
renamed or split leaves no reference behind."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A test file under tests/ (any depth), optionally with ::test_name (a pytest node id).
REFERENCE = re.compile(r"\btests/(?:[a-z_]+/)*[a-z_]+\.py(?:::[A-Za-z_][A-Za-z0-9_]*)?")
# Names flask-cors's own test files (downloaded at run time by its run.py), not ours.
FLASK_CORS_SUITE = "tests/compat/suite/"


def tracked_texts() -> list[Path]:
    """The package's, the docs', the tests' and the benchmarks' sources (walked, not asked
    of git: the sdist's tests run outside a checkout), without built pages."""
    texts = [path for path in [ROOT / "README.md"] if path.is_file()]
    for folder in ("flask_preflight", "docs", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if (
                path.suffix in (".py", ".md")
                and not relative.startswith((FLASK_CORS_SUITE, "docs/_build/"))
                and "/artifacts/" not in relative
            ):
                texts.append(path)
    return texts


def defines(path: Path, name: str) -> bool:
    pattern = rf"^\s*(?:async )?(?:def|class) {name}\b"
    return re.search(pattern, path.read_text(encoding="utf-8"), re.M) is not None


def test_every_named_test_file_and_test_exists() -> None:
    missing = []
    for path in tracked_texts():
        for reference in set(REFERENCE.findall(path.read_text(encoding="utf-8"))):
            file_name, _, test_name = reference.partition("::")
            target = ROOT / file_name
            if not target.is_file() or (test_name and not defines(target, test_name)):
                missing.append(f"{path.relative_to(ROOT)}: {reference}")
    assert missing == [], "\n".join(missing)

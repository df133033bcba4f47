"""The repository itself: no file holds a merge left half done."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("<<<<<<< ", ">>>>>>> ")


def test_no_file_holds_merge_conflict_markers():
	tracked = subprocess.run(
		["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
	).stdout.split(b"\0")
	found = []
	for name in filter(None, tracked):
		path = ROOT / name.decode()
		if not path.is_file() or path.suffix in {".png", ".pdf", ".xlsx", ".ico"}:
			continue
		for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
			if line.startswith(MARKERS) or (line == "=======" and path.suffix not in {".md", ".rst"}):
				found.append(f"{name.decode()}:{number}")
	assert not found, "merge conflict markers: " + ", ".join(found[:20])

"""`ccdocs intake export` and `import` on a profile of the CCCS 7th edition's size.

The synthetic profile of size 1 (bench/synthetic.py: 236 processes with their steps, 75 KPIs,
300 roles, 50 emergency plans) is written as a workbook and read back into a profile, in
process (the standards map read once), several times; the script prints the best and median of
each, and checks that the profile came back unchanged. Run from the repository root:

    .venv/bin/python bench/intake.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_synthetic

from generator.intake.run import export_workbook, import_workbook
from generator.profile import load_profile
from generator.standards import load_catalog

RUNS = 5


def main() -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = write_synthetic(root, 1, "cccs7")
        profile = load_profile(source)
        workbook = root / "center.xlsx"
        exports, imports = [], []
        for run in range(RUNS):
            start = time.perf_counter()
            export_workbook(profile, workbook, catalog, "zh", source.name)
            exports.append(time.perf_counter() - start)
            out = root / f"imported-{run}.yaml"
            start = time.perf_counter()
            import_workbook(workbook, out, catalog, "zh")
            imports.append(time.perf_counter() - start)
        same = load_profile(out).data == profile.data
        size = workbook.stat().st_size // 1024
        print(f"profile: {source.stat().st_size // 1024} KiB YAML, workbook {size} KiB")
        for name, times in (("export", exports), ("import", imports)):
            best, median = min(times), statistics.median(times)
            print(f"{name}: best {best:.2f} s, median {median:.2f} s over {RUNS} runs")
        print(f"round trip unchanged: {same}")


if __name__ == "__main__":
    main()

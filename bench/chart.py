"""Draw how import and KPI cost grow with the number of complaints (100k, 1M, 5M) from the
result files the other scripts wrote, into ``docs/benchmarks-growth.png``.

    .venv/bin/python bench/chart.py [RESULTS_DIR]
"""

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
OUT = ROOT / "docs" / "benchmarks-growth.png"


def _load(pattern: str) -> list[dict]:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    return [json.loads(p.read_text()) for p in sorted(folder.glob(pattern))]


def main() -> None:
    series: dict[str, dict[int, float]] = {}
    for r in _load("lapor_import-*.json"):
        for backend, b in r["backends"].items():
            for key, label in (
                ("import_s", "import"),
                ("reimport_s", "re-import"),
                ("floor_s", "floor (read + bare insert)"),
            ):
                series.setdefault(f"{label}, {backend}", {})[r["rows"]] = statistics.median(b[key])
    for r in _load("kpi-*.json"):
        for backend, b in r["backends"].items():
            series.setdefault(f"KPIs 4 quarters, {backend}", {})[b["stored"]] = statistics.median(
                b["kpi_s"]
            )
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for label, points in sorted(series.items()):
        xs = sorted(points)
        style = ":" if label.startswith("floor") else "-"
        ax.plot(xs, [points[x] for x in xs], style, marker="o", label=label)
    xs = [100_000, 5_000_000]
    ax.plot(xs, [1.0, 50.0], color="grey", linewidth=0.8, linestyle="--", label="linear (slope 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("complaints in the file / stored")
    ax.set_ylabel("seconds (median)")
    ax.set_title("renaksi: LAPOR! import and KPI cost vs rows (log-log)")
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    OUT.parent.mkdir(exist_ok=True)
    fig.savefig(OUT)
    print(OUT)


if __name__ == "__main__":
    main()

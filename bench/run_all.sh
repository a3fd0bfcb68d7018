#!/usr/bin/env bash
# Every benchmark of issue 7 at the issue's sizes; results in bench/results/*.json (ignored by
# git), Markdown tables on stdout, the growth chart in docs/benchmarks-growth.png.
#   bash bench/run_all.sh            # ~1 hour on 2 cores; needs PostgreSQL and wrk
#   SKIP_5M=1 bash bench/run_all.sh  # without the 5M-row runs
# RENAKSI_BENCH_PG_URL overrides postgresql+psycopg://postgres@127.0.0.1:5432/test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=$(mktemp -d /tmp/renaksi-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for n in 100000 1000000; do
  $PY bench/lapor_import.py --rows $n --runs 3 --workdir "$WORK"
  # the SQLite database the last import run left behind holds the n complaints
  $PY bench/kpi.py --rows $n --runs 5 --url "sqlite:///$WORK/renaksi.db"
done
$PY bench/kpi.py --rows 1000000 --runs 5 --backend postgresql --workdir "$WORK"
$PY bench/api.py --duration 10 --rounds 3
$PY bench/budget_gap.py --actions 100000 --runs 3
if [ -z "${SKIP_5M:-}" ]; then
  $PY bench/lapor_import.py --rows 5000000 --runs 1 --workdir "$WORK"
  $PY bench/kpi.py --rows 5000000 --runs 3 --url "sqlite:///$WORK/renaksi.db"
fi
rm -f "$WORK"/*.csv
$PY bench/chart.py

#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, in one run on this machine. Usage:
#   scripts/bench/run.sh [preset]            # preset: tiny, small, medium, full (default full)
# Needs python3 with duckdb (installed here if missing) and PostgreSQL at $CHITIEU_BENCH_POSTGRES
# (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-full}
pg=${CHITIEU_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb
cargo build --release -p chitieu-bench -p chitieu-cli
./target/release/chitieu-bench rollup --preset "$preset" --runs 5 --duckdb --postgres "$pg" --all-years
./target/release/chitieu-bench status --preset "$preset" --runs 20
# Storage: import rows/s, bytes per observation, cold start (full takes a 1.5 GB CSV and minutes).
./target/release/chitieu-bench import --preset "${CHITIEU_BENCH_IMPORT_PRESET:-medium}" --db sqlite --db "$pg"
./target/release/chitieu-bench cold --db target/bench-import/bench.db --runs 5
# The product's review path from a cold start, on the whole country generated into SQLite.
mkdir -p target/bench-review
rm -f target/bench-review/nat.db target/bench-review/nat.db-wal target/bench-review/nat.db-shm
./target/release/chitieu --db target/bench-review/nat.db gen --preset "$preset" --import
./target/release/chitieu-bench review --db target/bench-review/nat.db --unit p01 --as-of 2024-12-31 --runs 5

#!/usr/bin/env bash
# The web app under load (issue 4's goals): the demo's first page after start, the demo's
# dashboard and a province's dashboard on the whole synthetic country, with wrk at 64
# connections. Usage: scripts/bench/web.sh [preset]   (default full; installs wrk if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
preset=${1:-full}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release -p chitieu-cli
bin=./target/release/chitieu
work=target/bench-web
rm -rf "$work"; mkdir -p "$work"
wait_for() { until curl -s -o /dev/null -f "$1"; do sleep 0.01; done; }

# The demo: time from start to the first dashboard page, then the dashboard under load.
start=$(date +%s.%N)
HOME=$work XDG_DATA_HOME=$work/data $bin serve --demo --port 18181 2>"$work/demo.log" &
demo=$!
wait_for http://127.0.0.1:18181/resolutions/luc-ngan-xxiv
echo "demo: first dashboard page $(echo "$(date +%s.%N) - $start" | bc) s after start"
wrk -t2 -c64 -d10s --latency http://127.0.0.1:18181/resolutions/luc-ngan-xxiv
kill -INT $demo; wait $demo || true

# A province of the whole country.
$bin --db "$work/nat.db" gen --preset "$preset" --import
$bin --db "$work/nat.db" serve --port 18182 2>"$work/nat.log" &
nat=$!
url="http://127.0.0.1:18182/resolutions/p01-dh-2020?as_of=2024-12-31"
wait_for "$url"
wrk -t2 -c64 -d20s --timeout 30s --latency "$url"
kill -INT $nat; wait $nat || true

#!/usr/bin/env bash
# bench.decode.set.smoke: a small benchmark set recorded from real BIRD and FRR route servers
# (captures/bench/generate.sh), then `rsconform bench decode --set` over it: every command and
# tshark run on every capture (the 100k / 1M figures come from the full set by hand).
#   bench_set_smoke.sh BUILD_DIR RSCONFORM
set -euo pipefail
build=$1
rsconform=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
SETS="bird:20000 frr:20000" BUILD=$build bash "$(dirname "$0")/../../captures/bench/generate.sh" "$dir"
"$rsconform" bench decode --set "$dir" --repeat 1 --json "$dir/rows.json"
# Two captures x five commands, each row with a ratio to tshark.
[ "$(grep -c '"ratio_to_tshark"' "$dir/rows.json")" -eq 10 ]

#!/usr/bin/env bash
# Records the benchmark captures `rsconform bench decode --set DIR` runs over: a real route server
# (BIRD 2, FRR bgpd, GoBGP) between one sender and one receiver on loopback, the sender announcing
# N /24s with a fresh AS_PATH every 10 prefixes (tests/integration/daemons/record_capture.cpp,
# libpcap on lo). Writes DIR/<daemon>-<size>.pcap and DIR/SET.json (file, daemon, prefixes, BGP
# port, the addresses of the three parties); a capture already in SET.json is kept, so a second
# run only records what is missing. The captures are large (16-26 MB for 1M prefixes) and stay out
# of the repository.
#
#   bash captures/bench/generate.sh [DIR]        # default DIR: build/bench-captures
#   SETS="bird:100000 frr:1000000" bash captures/bench/generate.sh DIR   # choose the set
#
# Needs a build tree with the tests (BUILD=dir, default build), capture rights on lo (root or
# CAP_NET_RAW) and the daemons (.ci/setup-test). Nothing touches the kernel FIB; each daemon is
# stopped by PID when its recording ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
dir=${1:-$build/bench-captures}
sets=${SETS:-"bird:100000 bird:1000000 frr:100000 frr:1000000 gobgp:100000"}
mkdir -p "$dir"
nice -n 10 cmake --build "$build" -j2 --target rsconform_record_capture >/dev/null
recorder=$build/tests/integration/daemons/rsconform_record_capture

# The recorder's addresses (topology_for in record_capture.cpp): route server, sender, receiver.
addresses_of() {
  case $1 in
    bird) echo '"127.65.40.1", "127.65.40.2", "127.65.40.3"' ;;
    frr) echo '"127.65.41.1", "127.65.41.2", "127.65.41.3"' ;;
    gobgp) echo '"127.65.42.1", "127.65.42.2", "127.65.42.3"' ;;
  esac
}
size_name() { if [ "$1" -ge 1000000 ]; then echo "$(($1 / 1000000))m"; else echo "$(($1 / 1000))k"; fi; }

failed=0
entries=()
if [ -f "$dir/SET.json" ]; then mapfile -t entries < <(grep '"file"' "$dir/SET.json" | sed 's/,$//'); fi
for item in $sets; do
  daemon=${item%%:*}
  prefixes=${item#*:}
  file=$daemon-$(size_name "$prefixes").pcap
  if [ -f "$dir/$file" ] && printf '%s\n' "${entries[@]}" | grep -q "\"file\": \"$file\""; then
    echo "generate: $file kept"
    continue
  fi
  start=$EPOCHREALTIME
  if ! port=$("$recorder" bench "$daemon" "$prefixes" "$dir/$file"); then
    echo "generate: $file failed (above); the others go on" >&2
    failed=1
    continue
  fi
  printf 'generate: %s recorded in %s s (%s bytes)\n' "$file" \
    "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" \
    "$(stat -c %s "$dir/$file")"
  mapfile -t entries < <(printf '%s\n' "${entries[@]}" | grep -v -e "\"file\": \"$file\"" -e '^$' || true)
  read -r rs sender receiver <<<"$(addresses_of "$daemon" | tr -d ',')"
  entries+=("  {\"file\": \"$file\", \"daemon\": \"$daemon\", \"prefixes\": $prefixes, \"port\": $port, \"route_server\": $rs, \"sender\": $sender, \"receiver\": $receiver}")
done

{
  echo '{"captures": ['
  last=$((${#entries[@]} - 1))
  for i in "${!entries[@]}"; do
    if [ "$i" -lt "$last" ]; then echo "${entries[$i]},"; else echo "${entries[$i]}"; fi
  done
  echo ']}'
} >"$dir/SET.json"
echo "generate: $dir/SET.json lists ${#entries[@]} captures"
exit "$failed"

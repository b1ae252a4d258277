#!/usr/bin/env bash
# Regenerates the MRT files of this folder from real daemons (README.md in the folder above says
# what each holds): BIRD 2 (AS 65001) originates a small table with BGP attributes and sends it
# over eBGP to FRR bgpd (AS 65515), which logs the session as BGP4MP (`dump bgp all`); then BIRD
# writes its table as a TABLE_DUMP_V2 RIB (`mrt dump`). Everything stays on 127.0.0.0/8; no
# daemon touches the kernel FIB; both are stopped by PID. Needs bird2, frr (/usr/lib/frr/bgpd) and
# bgpdump.
#
#   bash captures/recorded/mrt/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
bird_pid=""
frr_pid=""
cleanup() {
  [ -n "$frr_pid" ] && kill "$frr_pid" 2>/dev/null || true
  [ -n "$bird_pid" ] && kill "$bird_pid" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

bird_addr=127.65.210.1
frr_addr=127.65.210.2
bird_port=17900
frr_port=17901

# Polls `check` until it succeeds, for at most `seconds`.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "record.sh: timed out waiting for $what" >&2
      exit 1
    fi
    sleep 0.2
  done
}

# BIRD: 40 IPv4 and 4 IPv6 prefixes with assorted AS paths, communities and MEDs.
{
  echo "router id 10.100.1.4;"
  echo "log \"$work/bird.log\" all;"
  echo "protocol device { }"
  echo "ipv4 table t4; ipv6 table t6;"
  echo "protocol static s4 { ipv4 { table t4; import filter {"
  echo "  bgp_origin = ORIGIN_IGP; bgp_med = net.len; bgp_next_hop = 10.100.1.4;"
  echo "  if net.len = 24 then bgp_path.prepend(64512);"
  echo "  bgp_path.prepend(64500); bgp_community.add((65001, net.len));"
  echo "  if net.len = 23 then bgp_large_community.add((65001, 1, 23));"
  echo "  accept; }; };"
  for i in $(seq 0 29); do echo "  route 198.18.$i.0/24 blackhole;"; done
  for i in $(seq 0 2 18); do echo "  route 100.64.$i.0/23 blackhole;"; done
  echo "}"
  echo "protocol static s6 { ipv6 { table t6; import filter {"
  echo "  bgp_origin = ORIGIN_IGP; bgp_next_hop = 2001:db8::4; bgp_path.prepend(64501); accept; }; };"
  for i in 1 2 3 4; do echo "  route 2001:db8:$i::/48 blackhole;"; done
  echo "}"
  echo "protocol bgp frr {"
  echo "  local $bird_addr port $bird_port as 65001; neighbor $frr_addr port $frr_port as 65515;"
  echo "  multihop; strict bind yes;"
  echo "  ipv4 { table t4; import none; export all; next hop address 10.100.1.4; };"
  echo "  ipv6 { table t6; import none; export all; next hop address 2001:db8::4; };"
  echo "}"
} >"$work/bird.conf"

cat >"$work/bgpd.conf" <<CONF
hostname recorder
dump bgp all $work/bgp4mp.mrt
router bgp 65515
 bgp router-id 10.1.0.4
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $bird_addr remote-as 65001
 neighbor $bird_addr port $bird_port
 neighbor $bird_addr ebgp-multihop 255
 address-family ipv6 unicast
  neighbor $bird_addr activate
 exit-address-family
CONF

mkdir -p "$work/frr"
/usr/lib/frr/bgpd -f "$work/bgpd.conf" -i "$work/bgpd.pid" -z "$work/frr/zserv.api" --vty_socket "$work/frr" \
  -Z -n -S -P 0 -p "$frr_port" -l "$frr_addr" >"$work/bgpd.out" 2>&1 &
frr_pid=$!
bird -f -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid" >"$work/bird.out" 2>&1 &
bird_pid=$!

# The session is up and FRR logged every UPDATE (40 IPv4 + 4 IPv6 prefixes, End-of-RIBs).
prefixes_logged() {
  [ "$(bgpdump -m "$work/bgp4mp.mrt" 2>/dev/null | grep -c '|A|')" -ge 44 ]
}
wait_for "the routes in FRR's BGP4MP dump" 60 prefixes_logged
birdc -s "$work/bird.ctl" 'mrt dump table "t4" to "'"$work"'/rib4.mrt"' >/dev/null
birdc -s "$work/bird.ctl" 'mrt dump table "t6" to "'"$work"'/rib6.mrt"' >/dev/null
wait_for "BIRD's RIB dumps" 20 test -s "$work/rib6.mrt"
# BIRD closes the session: FRR logs the state changes and the NOTIFICATION.
kill "$bird_pid"
wait "$bird_pid" || true
bird_pid=""
session_down() { bgpdump -m "$work/bgp4mp.mrt" 2>/dev/null | grep -q '|STATE|.*|1$'; }
wait_for "FRR's state change to Idle" 30 session_down
kill "$frr_pid"
wait "$frr_pid" || true
frr_pid=""

gzip -9n <"$work/bgp4mp.mrt" >"$here/frr-bgp4mp.mrt.gz"
cat "$work/rib4.mrt" "$work/rib6.mrt" | gzip -9n >"$here/bird-rib.mrt.gz"
ls -l "$here"

#!/usr/bin/env bash
# Records the captures of this folder (captures/recorded/README.md, section foreign/, says what
# each holds): a lab route server (two daemon processes, one per route-server instance, AS 65515)
# and real BGP peers (gobgpd processes, one per peer instance; BIRD as the NVA of the
# rsconform-serve capture) on 127.66.0.0/16 port 179, captured with tcpdump on lo from before
# the first SYN to after the last FIN, as someone would capture a lab that rsconform did not drive.
#
# Sequence of every capture: all sessions Established; routes converge; the NVA withdraws
# 192.168.11.0/24, the route servers converge, it announces it again, they converge again; every
# peer shuts its sessions down with NOTIFICATION Cease 6/2 (Administrative Shutdown).
#
#   bash captures/recorded/foreign/record.sh                 # all of them
#   bash captures/recorded/foreign/record.sh bird bird-off    # some of them:
#                                            # bird frr gobgp openbgpd bird-off serve
#
# Needs root (port 179, tcpdump on lo, a mount namespace for OpenBGPD), the Debian packages bird2
# frr gobgpd openbgpd tcpdump tshark, and a build tree with rsconform (BUILD, default build/). The
# daemons run in a private temporary directory, never touch the kernel FIB (BIRD without a kernel
# protocol, FRR bgpd -Z -n, GoBGP without zebra, OpenBGPD with `fib-update no` in its own mount
# namespace with a tmpfs on /run), are started by argv and stopped by PID. Every wait has a
# deadline. Idempotent: each run rewrites the captures, EXPECTED.json's counts and the MANIFEST.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BUILD:-$root/build}
rsconform=$build/harness/app/rsconform

all=(bird frr gobgp openbgpd bird-off serve)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# ---- topology (capture addresses; the suites keep their own 127.65.x.y defaults) -----------------
RS0=127.66.0.20 RS1=127.66.0.21      # route-server instances, AS 65515
NVA=127.66.7.1 NVA_AS=65001          # NVA: 192.168.1.0/24 and 192.168.11.0/24, next hop 10.66.7.1
VPN0=127.66.4.1 VPN1=127.66.4.2      # active-active VPN gateway: 192.168.3.0/24, AS_PATH 65030
ER0=127.66.5.1 ER1=127.66.5.2        # ExpressRoute gateway: 192.168.2.0/24, AS_PATH 12076 65020
RS_AS=65515
VNET=10.1.0.0/16
# NEXT_HOP values carried in attributes: 10.x, since FRR refuses and GoBGP drops 127.x ones.
nh_of() { echo "10.${1#127.}"; }
PEERS=("$NVA" "$ER0" "$ER1" "$VPN0" "$VPN1")

die() {
  echo "record.sh: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (port 179, tcpdump on lo, unshare -m for OpenBGPD)"
for tool in tcpdump tshark editcap gobgpd gobgp bird birdc /usr/lib/frr/bgpd bgpd unshare ss; do
  command -v "$tool" >/dev/null || die "$tool is missing (bash .ci/setup-test installs it)"
done
[ -x "$rsconform" ] || die "$rsconform is missing (cmake --build build --target rsconform)"

work=$(mktemp -d /tmp/rsconform-foreign.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s until it succeeds; dies at the
# deadline.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${seconds}s waiting for $what"
    sleep 0.1
  done
}

# stop PID: SIGTERM, then wait for it to exit (SIGKILL after 10 s).
stop() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    case $(ps -o stat= -p "$pid" 2>/dev/null) in '' | Z*) break ;; esac
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

listening() { ss -Hltn "src $1 and sport = :179" | grep -q LISTEN; }
# Any TCP socket on port 179 of our addresses that is not yet closed (TIME-WAIT counts as closed:
# both FINs were exchanged).
bgp_sockets_open() {
  ss -Htn '( sport = :179 or dport = :179 )' | grep '127\.66\.' | grep -qv TIME-WAIT
}
sessions_closed() { ! bgp_sockets_open; }

# ---- peers: one gobgpd per peer instance ---------------------------------------------------------
# start_gobgp_peer NAME ADDRESS ASN: connects to both route-server instances (port 179), does not
# listen.
run_gobgpd() { # DIR holding gobgpd.toml: starts it without zebra, its API on DIR/api.sock
  gobgpd -f "$1/gobgpd.toml" --api-hosts "unix://$1/api.sock" --pprof-disable -p \
    -l info >"$1/gobgpd.log" 2>&1 &
  pids+=($!)
  echo $! >"$1/pid"
}

start_gobgp_peer() {
  local name=$1 address=$2 asn=$3 rs
  local dir=$work/peer-$name
  mkdir -p "$dir"
  {
    printf '[global.config]\n  as = %s\n  router-id = "%s"\n  port = -1\n' "$asn" "$address"
    # A leaf: it announces only its own routes, never what it hears from one route server to
    # the other.
    printf '[[policy-definitions]]\n  name = "own-routes-only"\n'
    printf '  [[policy-definitions.statements]]\n    name = "local"\n'
    printf '    [policy-definitions.statements.conditions.bgp-conditions]\n'
    printf '      route-type = "local"\n'
    printf '    [policy-definitions.statements.actions]\n      route-disposition = "accept-route"\n'
    printf '[global.apply-policy.config]\n  export-policy-list = ["own-routes-only"]\n'
    printf '  default-export-policy = "reject-route"\n'
    for rs in "$RS0" "$RS1"; do
      printf '\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n' "$rs"
      printf '    peer-as = %s\n' "$RS_AS"
      printf '  [neighbors.transport.config]\n    local-address = "%s"\n' "$address"
      printf '  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 90\n'
      if [ "$asn" != "$RS_AS" ]; then
        printf '  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 2\n'
      fi
      printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n'
      printf '      afi-safi-name = "ipv4-unicast"\n'
    done
  } >"$dir/gobgpd.toml"
  run_gobgpd "$dir"
  wait_for 15 "gobgpd $name's API" test -S "$dir/api.sock"
}
gobgp_of() { gobgp --target "unix://$work/peer-$1/api.sock" "${@:2}"; }

gobgpd_established() { # NAME: both sessions of the peer are Established
  [ "$(gobgp_of "$1" neighbor | grep -c Establ)" = 2 ]
}

# ---- route servers -------------------------------------------------------------------------------
# Azure Route Server with branch-to-branch on (FLAG=on) or off (FLAG=off), as a daemon config:
#   - the VNet prefix 10.1.0.0/16 originated by each instance, to every peer;
#   - toward the NVA (eBGP): 65515 prepended, NEXT_HOP = the instance (the eBGP default);
#   - toward the gateways (iBGP, route-reflector clients): AS_PATH and NEXT_HOP unchanged;
#   - flag on: NVA <-> gateways and ER <-> VPN exchange routes; off: only the VNet prefix crosses.

bird_config() { # ADDRESS FLAG DIR
  local a=$1 flag=$2 dir=$3 gw_filter nva_filter
  if [ "$flag" = on ]; then
    nva_filter='accept;' gw_filter='accept;'
  else
    # Flag off: the NVA hears the VNet (and other NVAs), the gateways only the VNet.
    nva_filter='if proto = "vnet" || proto ~ "nva*" then accept; reject;'
    gw_filter='if proto = "vnet" then accept; reject;'
  fi
  cat <<EOF
log "$dir/bird.log" all;
router id $a;
protocol device { }
# Next hops (10.x attribute values, 127.x sessions) resolve through lo, in a table of their own
# that no BGP session exports.
ipv4 table igp4;
protocol static resolve {
  ipv4 { table igp4; };
  route 10.0.0.0/8 via "lo";
  route 127.0.0.0/8 via "lo";
}
protocol static vnet {
  ipv4;
  route $VNET blackhole;
}
filter to_nva { $nva_filter }
filter to_gateway { $gw_filter }
template bgp peer {
  local $a port 179 as $RS_AS;
  strict bind on;
  passive on;
  multihop;
  hold time 180;
  ipv4 { import all; igp table igp4; };
}
protocol bgp nva1 from peer {
  neighbor $NVA as $NVA_AS;
  ipv4 { import all; igp table igp4; export filter to_nva; };
}
EOF
  local name address
  for name in er_in0:$ER0 er_in1:$ER1 vpn_in0:$VPN0 vpn_in1:$VPN1; do
    address=${name#*:}
    cat <<EOF
protocol bgp ${name%%:*} from peer {
  neighbor $address as $RS_AS;
  rr client;
  ipv4 { import all; igp table igp4; export filter to_gateway; };
}
EOF
  done
}

start_bird_rs() { # NAME ADDRESS FLAG
  local name=$1 a=$2 flag=$3 dir=$work/rs-$1
  mkdir -p "$dir"
  bird_config "$a" "$flag" "$dir" >"$dir/bird.conf"
  bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >"$dir/stdout" 2>&1 &
  pids+=($!)
  echo $! >"$dir/pid"
  wait_for 15 "BIRD $name listening on $a:179" listening "$a"
}

# FRR bgpd alone (-Z no zebra, -n no kernel routes, -S no privilege changes, -P 0 no TCP vty),
# listening on its instance address only. Without zebra every next hop counts as reachable.
frr_config() { # ADDRESS FLAG DIR
  local a=$1 flag=$2 dir=$3 peer
  cat <<EOF
frr defaults traditional
hostname rs-$a
log file $dir/bgpd.log informational
!
router bgp $RS_AS
 bgp router-id $a
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 timers bgp 60 180
 neighbor $NVA remote-as $NVA_AS
EOF
  for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do echo " neighbor $peer remote-as $RS_AS"; done
  for peer in "${PEERS[@]}"; do
    echo " neighbor $peer update-source $a"
    echo " neighbor $peer passive"
    echo " neighbor $peer disable-connected-check"
    echo " neighbor $peer advertisement-interval 0"
  done
  echo " !"
  echo " address-family ipv4 unicast"
  echo "  network $VNET"
  for peer in "${PEERS[@]}"; do echo "  neighbor $peer activate"; done
  for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do
    echo "  neighbor $peer route-reflector-client"
    [ "$flag" = on ] || echo "  neighbor $peer route-map vnet-only out"
  done
  [ "$flag" = on ] || echo "  neighbor $NVA route-map vnet-only out"
  echo " exit-address-family"
  echo "exit"
  if [ "$flag" != on ]; then
    echo "ip prefix-list vnet seq 5 permit $VNET"
    echo "route-map vnet-only permit 10"
    echo " match ip address prefix-list vnet"
  fi
  echo "!"
}

start_frr_rs() { # NAME ADDRESS FLAG
  local name=$1 a=$2 flag=$3 dir=$work/rs-$1
  mkdir -p "$dir"
  frr_config "$a" "$flag" "$dir" >"$dir/bgpd.conf"
  /usr/lib/frr/bgpd -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" -z "$dir/zserv.api" \
    --vty_socket "$dir" -Z -n -S -P 0 -p 179 -l "$a" >"$dir/stdout" 2>&1 &
  pids+=($!)
  echo $! >"$dir/pid"
  wait_for 15 "FRR bgpd $name listening on $a:179" listening "$a"
}

# GoBGP as a route server: the gateways are route-reflector clients; the VNet prefix is added
# through the API once it listens.
start_gobgp_rs() { # NAME ADDRESS FLAG
  local name=$1 a=$2 flag=$3 dir=$work/rs-$1 peer
  [ "$flag" = on ] || die "the GoBGP route server is only configured with the flag on"
  mkdir -p "$dir"
  {
    printf '[global.config]\n  as = %s\n  router-id = "%s"\n  port = 179\n' "$RS_AS" "$a"
    printf '  local-address-list = ["%s"]\n' "$a"
    for peer in "${PEERS[@]}"; do
      printf '\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n' "$peer"
      printf '    peer-as = %s\n' "$([ "$peer" = "$NVA" ] && echo "$NVA_AS" || echo "$RS_AS")"
      printf '  [neighbors.transport.config]\n    local-address = "%s"\n' "$a"
      printf '    passive-mode = true\n'
      printf '  [neighbors.timers.config]\n    hold-time = 180\n'
      if [ "$peer" = "$NVA" ]; then
        printf '  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 2\n'
      else
        printf '  [neighbors.route-reflector.config]\n    route-reflector-client = true\n'
        printf '    route-reflector-cluster-id = "%s"\n' "$a"
      fi
      printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n'
      printf '      afi-safi-name = "ipv4-unicast"\n'
    done
  } >"$dir/gobgpd.toml"
  run_gobgpd "$dir"
  wait_for 15 "GoBGP $name listening on $a:179" listening "$a"
  gobgp --target "unix://$dir/api.sock" global rib add -a ipv4 "$VNET" origin igp
}

# OpenBGPD chroots into /run/openbgpd: it runs in a mount namespace of its own with a tmpfs on
# /run, so nothing is created on the host. `fib-update no`: the kernel FIB is never touched (it
# reads the routing table to validate next hops; the default route makes 10.x reachable).
openbgpd_config() { # ADDRESS FLAG
  local a=$1 flag=$2 peer
  cat <<EOF
AS $RS_AS
router-id $a
listen on $a
fib-update no
network $VNET
neighbor $NVA {
  remote-as $NVA_AS
  local-address $a
  multihop 2
  passive
  holdtime 180
}
group "gateways" {
  remote-as $RS_AS
  local-address $a
  route-reflector $a
  passive
  holdtime 180
EOF
  for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do echo "  neighbor $peer"; done
  echo "}"
  echo "allow from any"
  if [ "$flag" = on ]; then
    echo "allow to any"
  else
    echo "allow to any prefix $VNET"
  fi
}

start_openbgpd_rs() { # NAME ADDRESS FLAG
  local name=$1 a=$2 flag=$3 dir=$work/rs-$1
  mkdir -p "$dir"
  openbgpd_config "$a" "$flag" >"$dir/bgpd.conf"
  chmod 600 "$dir/bgpd.conf"
  bgpd -n -f "$dir/bgpd.conf" >"$dir/check.log" 2>&1 ||
    die "OpenBGPD config: $(cat "$dir/check.log")"
  unshare -m --propagation private sh -c \
    'mount -t tmpfs tmpfs /run && mkdir -p /run/openbgpd && exec bgpd -d -f "$1"' sh \
    "$dir/bgpd.conf" >"$dir/bgpd.log" 2>&1 &
  pids+=($!)
  echo $! >"$dir/pid"
  wait_for 15 "OpenBGPD $name listening on $a:179" listening "$a"
}

# rsconform serve: the built-in reference route server, both instances in one process, passive.
start_serve_rs() { # NAME ADDRESS FLAG (rs0 starts both instances; rs1 only waits for its own)
  local name=$1 a=$2 flag=$3 dir=$work/rs-serve
  if [ "$name" = rs0 ]; then
    mkdir -p "$dir"
    cat >"$dir/rs.json" <<EOF
{
  "instances": [{"name": "RS0", "address": "$RS0"}, {"name": "RS1", "address": "$RS1"}],
  "peers": [
    {"name": "NVA1", "role": "nva", "address": "$NVA", "asn": $NVA_AS},
    {"name": "ER-IN0", "role": "expressroute", "address": "$ER0"},
    {"name": "ER-IN1", "role": "expressroute", "address": "$ER1"},
    {"name": "VPN-IN0", "role": "vpngateway", "address": "$VPN0"},
    {"name": "VPN-IN1", "role": "vpngateway", "address": "$VPN1"}
  ],
  "vnet_prefixes": ["$VNET"]
}
EOF
    "$rsconform" serve --config "$dir/rs.json" --port 179 --passive --no-control \
      --flag "$flag" >"$dir/serve.log" 2>&1 &
    pids+=($!)
    echo $! >"$dir/pid"
  fi
  wait_for 15 "rsconform serve $name listening on $a:179" listening "$a"
}

# ---- the sequence --------------------------------------------------------------------------------
announce_gateways() {
  local i address
  for i in 0 1; do
    address=$([ $i = 0 ] && echo "$ER0" || echo "$ER1")
    gobgp_of er.in$i global rib add -a ipv4 192.168.2.0/24 origin igp aspath 12076,65020 \
      nexthop "$(nh_of "$address")"
    address=$([ $i = 0 ] && echo "$VPN0" || echo "$VPN1")
    gobgp_of vpn.in$i global rib add -a ipv4 192.168.3.0/24 origin igp aspath 65030 \
      nexthop "$(nh_of "$address")"
  done
}
announce_all() {
  gobgp_of nva1 global rib add -a ipv4 192.168.1.0/24 origin igp nexthop "$(nh_of "$NVA")"
  gobgp_of nva1 global rib add -a ipv4 192.168.11.0/24 origin igp nexthop "$(nh_of "$NVA")"
  announce_gateways
}

# What each route-server instance must have sent each peer instance (prefixes only; attributes are
# the suites' business), and what it must not have: "FROM TO PREFIX" lines, for FLAG and PHASE
# (converged: everything announced; withdrawn: 192.168.11.0/24 gone).
expected_lines() { # FLAG PHASE KIND(required|forbidden)
  local flag=$1 phase=$2 kind=$3 rs peer
  for rs in "$RS0" "$RS1"; do
    if [ "$kind" = required ]; then
      echo "$rs $NVA $VNET"
      for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do echo "$rs $peer $VNET"; done
      if [ "$flag" = on ]; then
        echo "$rs $NVA 192.168.2.0/24"
        echo "$rs $NVA 192.168.3.0/24"
        for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do
          echo "$rs $peer 192.168.1.0/24"
          [ "$phase" = withdrawn ] || echo "$rs $peer 192.168.11.0/24"
        done
        for peer in "$ER0" "$ER1"; do echo "$rs $peer 192.168.3.0/24"; done
        for peer in "$VPN0" "$VPN1"; do echo "$rs $peer 192.168.2.0/24"; done
      fi
    else
      [ "$phase" = withdrawn ] &&
        for peer in "${PEERS[@]}"; do echo "$rs $peer 192.168.11.0/24"; done
      if [ "$flag" = off ]; then
        echo "$rs $NVA 192.168.2.0/24"
        echo "$rs $NVA 192.168.3.0/24"
        for peer in "$ER0" "$ER1" "$VPN0" "$VPN1"; do echo "$rs $peer 192.168.1.0/24"; done
      fi
    fi
  done
  return 0
}

# The tables the capture holds so far, as "FROM TO PREFIX" lines (rsconform decode --tables on a
# copy of the file tcpdump is writing packet by packet).
tables_now() {
  cp "$pcap" "$work/snapshot.pcap"
  "$rsconform" decode --tables "$work/snapshot.pcap" 2>/dev/null |
    awk '/^table /{from=$2; to=$4; next} /^  /{print from, to, $2}' | sort -u
}

converged() { # FLAG PHASE
  local tables
  tables=$(tables_now)
  local line
  while read -r line; do
    grep -qxF "$line" <<<"$tables" || return 1
  done < <(expected_lines "$1" "$2" required)
  while read -r line; do
    [ -z "$line" ] && continue
    grep -qxF "$line" <<<"$tables" && return 1
  done < <(expected_lines "$1" "$2" forbidden)
  return 0
}

# quiet: the capture has not grown for 1.5 s (no UPDATE still on its way).
quiet() {
  local size before deadline=$((SECONDS + 30))
  before=$(stat -c %s "$pcap")
  while [ $SECONDS -lt $deadline ]; do
    sleep 1.5
    size=$(stat -c %s "$pcap")
    [ "$size" = "$before" ] && return 0
    before=$size
  done
  die "the capture never went quiet"
}

wait_converged() { # FLAG PHASE
  wait_for 60 "the route servers to converge ($2, flag $1)" converged "$1" "$2"
  quiet
  converged "$1" "$2" || die "tables changed again after converging ($2)"
}

# record NAME START_RS FLAG: the whole sequence, writing $here/NAME.pcap.
record() {
  local name=$1 start_rs=$2 flag=$3 peer
  pcap=$work/$name.pcap
  rm -f "$pcap"
  echo "== $name: route servers by $start_rs, configured flag $flag"
  tcpdump -i lo -U -w "$pcap" 'tcp port 179 and net 127.66.0.0/16' 2>"$work/tcpdump.err" &
  local tcpdump_pid=$!
  pids+=($tcpdump_pid)
  wait_for 10 "tcpdump to listen" grep -q "listening on" "$work/tcpdump.err"

  "$start_rs" rs0 "$RS0" "$flag"
  "$start_rs" rs1 "$RS1" "$flag"
  start_peers_$name
  for peer in nva1 er.in0 er.in1 vpn.in0 vpn.in1; do
    wait_for 60 "$peer's sessions to come up" established_$name "$peer"
  done
  announce_$name
  wait_converged "$flag" converged
  withdraw_$name
  wait_converged "$flag" withdrawn
  reannounce_$name
  wait_converged "$flag" converged
  for peer in nva1 er.in0 er.in1 vpn.in0 vpn.in1; do shutdown_$name "$peer"; done
  wait_for 30 "every session to close" sessions_closed
  quiet
  stop "$tcpdump_pid"
  grep -q "^0 packets dropped by kernel" "$work/tcpdump.err" ||
    die "tcpdump dropped packets: $(cat "$work/tcpdump.err")"
  stop_all
  check_ceases "$pcap"
  cp "$pcap" "$here/$name.pcap"
}

# Every NOTIFICATION of the capture is Cease / Administrative Shutdown, and there are 10 of them
# (five peer instances, two sessions each).
check_ceases() {
  local codes
  codes=$(tshark -r "$1" -o tcp.reassemble_out_of_order:TRUE -Y 'bgp.type == 3' -T fields \
    -e bgp.notify.major_error -e bgp.notify.minor_error_cease | tr '\t,' '\n\n' | paste - - |
    sort | uniq -c | sed 's/^ *//')
  [ "$codes" = "$(printf '10 6\t2')" ] || die "$1: NOTIFICATIONs are not ten 6/2: $codes"
}

stop_all() {
  local pid
  for pid in "${pids[@]}"; do stop "$pid"; done
  pids=()
}

# The gobgpd peers of the daemon captures.
gobgpd_start_peers() {
  start_gobgp_peer nva1 "$NVA" "$NVA_AS"
  start_gobgp_peer er.in0 "$ER0" "$RS_AS"
  start_gobgp_peer er.in1 "$ER1" "$RS_AS"
  start_gobgp_peer vpn.in0 "$VPN0" "$RS_AS"
  start_gobgp_peer vpn.in1 "$VPN1" "$RS_AS"
}
gobgpd_withdraw() { gobgp_of nva1 global rib del -a ipv4 192.168.11.0/24; }
gobgpd_reannounce() {
  gobgp_of nva1 global rib add -a ipv4 192.168.11.0/24 origin igp nexthop "$(nh_of "$NVA")"
}
# PEER: Cease 6/2 on both sessions; gobgpd keeps them down. `shutdown` (deprecated for `disable`,
# hence the warning kept quiet unless it fails) sends the Shutdown Communication (RFC 8203);
# `disable` does not.
gobgpd_shutdown() {
  local rs out
  for rs in "$RS0" "$RS1"; do
    out=$(gobgp_of "$1" neighbor "$rs" shutdown --reason "lab teardown" 2>&1) ||
      die "gobgp neighbor $rs shutdown ($1): $out"
  done
}
for name in bird frr gobgp openbgpd bird-off; do
  eval "start_peers_$name() { gobgpd_start_peers; }"
  eval "established_$name() { gobgpd_established \"\$1\"; }"
  eval "announce_$name() { announce_all; }"
  eval "withdraw_$name() { gobgpd_withdraw; }"
  eval "reannounce_$name() { gobgpd_reannounce; }"
  eval "shutdown_$name() { gobgpd_shutdown \"\$1\"; }"
done

# The peers of the rsconform-serve capture: BIRD 2 as the NVA (its two prefixes in static
# protocols that start disabled: enabling and disabling them announces and withdraws; disabling
# a BGP protocol sends Cease 6/2), gobgpd for the four gateway instances.
bird_nva_config() {
  cat <<EOF
log "$work/peer-nva1/bird.log" all;
router id $NVA;
protocol device { }
ipv4 table igp4;
protocol static resolve {
  ipv4 { table igp4; };
  route 127.0.0.0/8 via "lo";
  route 10.0.0.0/8 via "lo";
}
protocol static nva_routes { ipv4; disabled yes; route 192.168.1.0/24 blackhole; }
protocol static nva_extra { ipv4; disabled yes; route 192.168.11.0/24 blackhole; }
template bgp to_rs {
  local $NVA as $NVA_AS;
  strict bind on;
  multihop;
  hold time 180;
  connect delay time 1;
  ipv4 {
    igp table igp4;
    import none;
    export where source = RTS_STATIC;
    next hop address $(nh_of "$NVA");
  };
}
protocol bgp rs0 from to_rs { neighbor $RS0 as $RS_AS; }
protocol bgp rs1 from to_rs { neighbor $RS1 as $RS_AS; }
EOF
}
birdc_nva() { birdc -s "$work/peer-nva1/bird.ctl" "$@"; }
start_peers_serve() {
  local dir=$work/peer-nva1
  mkdir -p "$dir"
  bird_nva_config >"$dir/bird.conf"
  bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >"$dir/stdout" 2>&1 &
  pids+=($!)
  echo $! >"$dir/pid"
  wait_for 15 "BIRD nva1's control socket" birdc_nva show status
  start_gobgp_peer er.in0 "$ER0" "$RS_AS"
  start_gobgp_peer er.in1 "$ER1" "$RS_AS"
  start_gobgp_peer vpn.in0 "$VPN0" "$RS_AS"
  start_gobgp_peer vpn.in1 "$VPN1" "$RS_AS"
}
established_serve() {
  if [ "$1" = nva1 ]; then
    [ "$(birdc_nva show protocols | grep -c 'Established')" = 2 ]
  else
    gobgpd_established "$1"
  fi
}
announce_serve() {
  birdc_nva enable nva_routes >/dev/null
  birdc_nva enable nva_extra >/dev/null
  announce_gateways
}
withdraw_serve() { birdc_nva disable nva_extra >/dev/null; }
reannounce_serve() { birdc_nva enable nva_extra >/dev/null; }
shutdown_serve() {
  if [ "$1" = nva1 ]; then
    birdc_nva disable rs0 >/dev/null
    birdc_nva disable rs1 >/dev/null
  else
    gobgpd_shutdown "$1"
  fi
}

for target in "${targets[@]}"; do
  case $target in
    bird) record bird start_bird_rs on ;;
    frr) record frr start_frr_rs on ;;
    gobgp) record gobgp start_gobgp_rs on ;;
    openbgpd) record openbgpd start_openbgpd_rs on ;;
    bird-off) record bird-off start_bird_rs off ;;
    serve) record serve start_serve_rs on ;;
    *) die "unknown capture '$target' (${all[*]})" ;;
  esac
done

# Check every capture with today's replay (cut before the first Cease: pass, or the flag cases
# failing for bird-off) and write EXPECTED.json and the foreign/ entries of ../MANIFEST.json.
python3 "$here/expected.py" "$build"

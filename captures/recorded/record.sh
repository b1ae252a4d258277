#!/usr/bin/env bash
# Regenerates the captures of this folder (README.md says what each holds) with the project's own
# tools and real daemons, then MANIFEST.json. Needs a build tree with the tests (default: build;
# BUILD=dir to choose another), libpcap capture rights on lo (root or CAP_NET_RAW), and BIRD 2,
# FRR and GoBGP installed (.ci/setup). Everything stays on 127.0.0.0/8; the daemons never touch
# the kernel FIB and are stopped by PID when their recording ends.
#
#   bash captures/recorded/record.sh            # all of them
#   bash captures/recorded/record.sh bird frr   # some: rsconform, bird, frr, gobgp
#   bash captures/recorded/mrt/record.sh        # the MRT files (then this, for MANIFEST.json)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
cd "$root"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(rsconform bird frr gobgp)

nice -n 10 cmake --build "$build" -j2 --target rsconform rsconform_record_capture
rsconform=$build/harness/app/rsconform
recorder=$build/tests/integration/daemons/rsconform_record_capture
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in "${targets[@]}"; do
  case $target in
    rsconform)
      # The seed suite scenario-a, flag on, against the built-in route server, captured live.
      "$rsconform" run suites/scenario-a.json --flag on --capture live --out "$work/run"
      mkdir -p "$here/rsconform-scenario-a-on"
      cp "$work/run/scenario-a/flag=on/capture.pcap" "$here/rsconform-scenario-a-on/capture.pcap"
      # The suite file as a path in the repository, not on this machine.
      sed "s#\"$root/#\"#" "$work/run/scenario-a/flag=on/run.json" \
        >"$here/rsconform-scenario-a-on/run.json"
      ;;
    bird | frr | gobgp)
      # Three fake NVAs around the real daemon (tests/integration/daemons/record_capture.cpp).
      "$recorder" "$target" "$here/$target-rs.pcap" >"$work/$target.port"
      ;;
    *)
      echo "record.sh: unknown capture '$target' (rsconform, bird, frr, gobgp)" >&2
      exit 2
      ;;
  esac
done

# MANIFEST.json, in the public corpus's schema (tests/support/tshark_oracle.hpp reads it). The BGP
# ports of a capture are the route server's listening ports of its recording: from run.json for
# the run, as the recorder printed them for a daemon (or from the old manifest when that capture
# was not recorded this time).
ports_of() {
  case $1 in
    foreign/*) echo 179 ;;
    rsconform-scenario-a-on/capture.pcap)
      tr -d ' \n' <"$here/rsconform-scenario-a-on/run.json" |
        sed -n 's/.*"ports":\(\[[0-9,]*\]\).*/\1/p'
      ;;
    *)
      if [ -f "$work/${1%-rs.pcap}.port" ]; then
        cat "$work/${1%-rs.pcap}.port"
      else
        tr -d ' \n' <"$here/MANIFEST.json" |
          sed -n "s#.*\"path\":\"$1\",[^}]*\"bgp_tcp_port\":\([0-9]*\).*#\1#p"
      fi
      ;;
  esac
}
{
  echo '{'
  echo '  "description": "Captures made with the project'"'"'s own tools and real daemons (README.md).",'
  echo '  "files": ['
  separator=''
  # foreign/: tcpdump captures of labs on port 179 (foreign/record.sh records them).
  for path in rsconform-scenario-a-on/capture.pcap bird-rs.pcap frr-rs.pcap gobgp-rs.pcap \
    $(cd "$here" && ls foreign/*.pcap 2>/dev/null); do
    [ -f "$here/$path" ] || continue
    printf '%s    {"path": "%s", "format": "pcap", "link_type": ["Ethernet (1)"], ' \
      "$separator" "$path"
    printf '"well_formed": "yes", "bgp_tcp_port": %s, "size": %s}' "$(ports_of "$path")" \
      "$(stat -c %s "$here/$path")"
    separator=$',\n'
  done
  # mrt/: MRT files of real daemons (mrt/record.sh records them).
  for path in $(cd "$here" && ls mrt/*.mrt.gz 2>/dev/null); do
    case $path in
      mrt/frr-bgp4mp.mrt.gz) well_formed=no ;;  # FRR cuts its last STATE_CHANGE short
      *) well_formed=yes ;;
    esac
    printf '%s    {"path": "%s", "format": "mrt", "link_type": null, "well_formed": "%s", ' \
      "$separator" "$path" "$well_formed"
    printf '"size": %s}' "$(stat -c %s "$here/$path")"
    separator=$',\n'
  done
  printf '\n  ]\n}\n'
} >"$work/MANIFEST.json"
mv "$work/MANIFEST.json" "$here/MANIFEST.json"
ls -l "$here" "$here/rsconform-scenario-a-on"

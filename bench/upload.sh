#!/usr/bin/env bash
# bench/upload: imports 1 GiB raw images of two kinds with `drover image upload --image-path` and, in the same run
# against the same kind of rescue system of a private local cloud, streams the same bytes with plain
# `ssh root@IP 'dd of=/dev/sda bs=4M conv=sparse' < image` (the baseline):
#   half-zero: half fixed-seed random data, half zeros, in alternating 64 MiB chunks
#   random:    fixed-seed random data throughout (nothing to skip, nothing to compress)
# Each run does baseline and Drover for each kind, alternating, RUNS times. The report gives, per kind, the medians,
# the throughput ratio (Drover's "write image" step against plain ssh + dd) with PASS/FAIL against the targets, the
# "map image" step (reading and hashing the file before anything is sent) apart as context, bytes on the wire and
# peak RSS. Then, once per kind, Drover's write step with zstd on the wire off (zstd hidden from PATH) against on,
# and once the peak RSS of an upload of a 4 GiB image.
# Targets: half-zero ratio >= 1.0 (goal >= 2.0), random ratio >= 0.95, peak RSS <= 150 MB for a 4 GiB image.
# Exits 0 with "SKIPPED: <reason>" where rescue systems cannot run.
#
#   bash bench/upload.sh                  # from the repo root; builds src/Drover.Cli in Release first
#   RUNS=5 bash bench/upload.sh
#   RSS_IMAGE_MIB=0 ZSTD_COMPARE=0 bash bench/upload.sh     # ratios only (no 4 GiB run, no zstd-off runs)
#
# Knobs: RUNS (3), IMAGE_MIB (1024), CHUNK_MIB (64), RSS_IMAGE_MIB (4096; 0 skips the RSS run), RSS_KIND (random or
# half-zero; random), ZSTD_COMPARE (1; 0 skips the zstd-off runs).
#
# Needs: dotnet, hcloud (hcloud-cli), ssh, ssh-keygen (bash scripts/setup installs them), GNU time (installed here
# with apt-get when missing and possible), and a machine where the local cloud runs rescue systems (root).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=${RUNS:-3}
# UPLINK_MBIT: emulate an uplink of that many Mbit/s for every transfer compared (0: as fast as this machine goes).
UPLINK_MBIT=${UPLINK_MBIT:-0}
PYTHON=$(command -v python3 || true)
IMAGE_MIB=${IMAGE_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-64}
RSS_IMAGE_MIB=${RSS_IMAGE_MIB:-4096}
RSS_KIND=${RSS_KIND:-random}
ZSTD_COMPARE=${ZSTD_COMPARE:-1}
KINDS=(half-zero random)
RSS_TARGET_MB=150
HALF_TARGET=1.0
HALF_GOAL=2.0
RANDOM_TARGET=0.95

say() { printf 'bench/upload: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[[ $UPLINK_MBIT =~ ^[0-9]+$ ]] || die "UPLINK_MBIT must be a whole number of Mbit/s (0: no limit), not '$UPLINK_MBIT'"
(( UPLINK_MBIT == 0 )) || [ -n "$PYTHON" ] || die "UPLINK_MBIT needs python3 for its rate limiter"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $IMAGE_MIB =~ ^[1-9][0-9]*$ && $CHUNK_MIB =~ ^[1-9][0-9]*$ ]] || die "IMAGE_MIB and CHUNK_MIB must be positive integers"
[[ $RSS_IMAGE_MIB =~ ^[0-9]+$ ]] || die "RSS_IMAGE_MIB must be a number of MiB (0 skips the RSS run), not '$RSS_IMAGE_MIB'"
[[ $RSS_KIND == random || $RSS_KIND == half-zero ]] || die "RSS_KIND must be random or half-zero, not '$RSS_KIND'"
[[ $ZSTD_COMPARE == 0 || $ZSTD_COMPARE == 1 ]] || die "ZSTD_COMPARE must be 0 or 1, not '$ZSTD_COMPARE'"
(( IMAGE_MIB % (2 * CHUNK_MIB) == 0 )) || die "IMAGE_MIB ($IMAGE_MIB) must be a multiple of 2 * CHUNK_MIB ($CHUNK_MIB)"
(( RSS_IMAGE_MIB % (2 * CHUNK_MIB) == 0 )) || die "RSS_IMAGE_MIB ($RSS_IMAGE_MIB) must be a multiple of 2 * CHUNK_MIB ($CHUNK_MIB)"

# ---- tools -----------------------------------------------------------------------------------------------------
for tool in dotnet hcloud ssh ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/setup installs what Drover needs)"
done
if [ ! -x /usr/bin/time ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo=sudo; } || die "/usr/bin/time is missing (apt-get install time)"
  say "installing GNU time (/usr/bin/time)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends time >/dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends time >/dev/null; } \
    || die "could not install GNU time (apt-get install time)"
fi
DOTNET=$(command -v dotnet)
REAL_SSH=$(command -v ssh)
SSH_KEYGEN=$(command -v ssh-keygen)
HAVE_ZSTD=""
command -v zstd >/dev/null 2>&1 && HAVE_ZSTD=1

# ---- build (before HOME changes, so the usual NuGet cache is used) ---------------------------------------------
say "building src/Drover.Cli (Release)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
build_log=$(mktemp -t drover-bench-build.XXXXXX)
if ! dotnet build -c Release src/Drover.Cli/Drover.Cli.csproj --nologo -v q >"$build_log" 2>&1; then
  cat "$build_log" >&2; rm -f "$build_log"; die "the Release build of src/Drover.Cli failed"
fi
rm -f "$build_log"
DLL=$ROOT/artifacts/bin/Drover.Cli/release/drover.dll
[ -f "$DLL" ] || die "$DLL is missing after the build"
drover() { "$DOTNET" "$DLL" "$@"; }

# ---- private state; everything started here is stopped in the trap ---------------------------------------------
WORK=$(mktemp -d -t drover-bench-upload.XXXXXX)
export HOME=$WORK/home
mkdir -p "$HOME"
CLOUD_UP=""
BASE_SERVER=""
BASE_KEY=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$CLOUD_UP" ]; then
    [ -z "$BASE_SERVER" ] || hcloud server delete "$BASE_SERVER" >/dev/null 2>&1
    [ -z "$BASE_KEY" ] || hcloud ssh-key delete "$BASE_KEY" >/dev/null 2>&1
    drover local down >/dev/null 2>&1 || say "warning: 'drover local down' failed; see $HOME/.local/share/drover/local/local.log"
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ssh as Drover runs it: the same binary, its transfer counters logged --------------------------------------
# Drover finds ssh (and zstd) on PATH. $WORK/bin puts a wrapper first that execs the real ssh with its log (level
# VERBOSE, which adds OpenSSH's closing "Transferred: sent N, received M bytes" line: SSH packet bytes after
# compression and encryption, TCP/IP headers not counted) going to a file per session, named by what it ran. The
# options Drover passes come after the wrapper's, and OpenSSH keeps the first value of an option. $WORK/bin-nozstd
# holds the wrapper and ssh-keygen only: run with it as the whole PATH, Drover finds no local zstd and sends the
# blocks uncompressed (UploadOptions.WireCompression has no CLI flag; this is the only way to turn it off).
mkdir -p "$WORK/bin" "$WORK/bin-nozstd"
cat >"$WORK/uplink" <<'EOF'
# Passes stdin to stdout at most at RATE Mbit/s (argv[1]): a token bucket without a burst, so ssh sees the bytes of an
# uplink of that speed (the limit is on what enters ssh: after zstd, before encryption).
import os, sys, time
rate = float(sys.argv[1]) * 1e6 / 8
start, sent = time.monotonic(), 0
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    view = memoryview(chunk)
    while view:
        view = view[os.write(1, view):]
    sent += len(chunk)
    ahead = sent / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
EOF
cat >"$WORK/bin/ssh" <<EOF
#!/bin/bash
args=("\$@")
if [ -n "\${BENCH_SSH_LOG:-}" ]; then
  case "\${!#}" in
    *"write /dev/sda"*) kind=write ;;
    *"hash /dev/sda "*) kind=hash ;;
    *) kind=other ;;
  esac
  args=(-E "\$BENCH_SSH_LOG/\$kind.\$\$.log" -o LogLevel=VERBOSE "\$@")
fi
if [ "\${BENCH_UPLINK_MBIT:-0}" -gt 0 ]; then
  $PYTHON "$WORK/uplink" "\$BENCH_UPLINK_MBIT" | $REAL_SSH "\${args[@]}"
  exit "\${PIPESTATUS[1]}"
fi
exec $REAL_SSH "\${args[@]}"
EOF
chmod +x "$WORK/bin/ssh"
cp "$WORK/bin/ssh" "$WORK/bin-nozstd/ssh"
ln -s "$SSH_KEYGEN" "$WORK/bin-nozstd/ssh-keygen"
# Bytes SSH sent (client to server) in the sessions of a log directory whose files start with $2 (all: every session).
ssh_sent() {
  local files=() f
  for f in "$1"/*.log; do [ -e "$f" ] || continue; [ "$2" = all ] || [[ $(basename "$f") == "$2".* ]] || continue; files+=("$f"); done
  [ "${#files[@]}" -gt 0 ] || { echo 0; return; }
  sed -n 's/.*Transferred: sent \([0-9]*\), received \([0-9]*\) bytes.*/\1/p' "${files[@]}" | awk '{ s += $1 } END { printf "%d\n", s }'
}

# ---- the images ----------------------------------------------------------------------------------------------------
chunk=$(( CHUNK_MIB * 1048576 ))
if command -v openssl >/dev/null 2>&1; then
  # Fixed seed: AES-128-CTR keystream (one IV per chunk, distinct per kind), so every run uploads the same bytes.
  data() { head -c "$chunk" /dev/zero | openssl enc -aes-128-ctr -K 6472f6f7657262656e6368206b657930 -iv "$(printf '%032x' "$1")"; }
  source_note="AES-128-CTR keystream, fixed seed"
else
  data() { head -c "$chunk" /dev/urandom; }
  source_note="/dev/urandom"
fi
# make_image KIND MIB PATH
make_image() {
  local kind=$1 mib=$2 path=$3 i
  if [ "$kind" = half-zero ]; then
    for (( i = 0; i < mib / (2 * CHUNK_MIB); i++ )); do
      data "$i"
      head -c "$chunk" /dev/zero
    done >"$path"
  else
    for (( i = 0; i < mib / CHUNK_MIB; i++ )); do
      data $(( 1000000 + i ))
    done >"$path"
  fi
  [ "$(stat -c %s "$path")" -eq $(( mib * 1048576 )) ] || die "$path has $(stat -c %s "$path") bytes, not $(( mib * 1048576 ))"
}
IMAGE_BYTES=$(( IMAGE_MIB * 1048576 ))
declare -A IMG
for kind in "${KINDS[@]}"; do
  say "making a $IMAGE_MIB MiB $kind image"
  IMG[$kind]=$WORK/$kind.raw
  make_image "$kind" "$IMAGE_MIB" "${IMG[$kind]}"
done

# ---- the local cloud ---------------------------------------------------------------------------------------------
say "starting a private local cloud (HOME=$HOME)"
CLOUD_UP=1
drover local up >/dev/null
status=$(drover local status -o json)
mode=$(sed -n 's/.*"mode": *"\([^"]*\)".*/\1/p' <<<"$status" | head -n 1)
reason=$(sed -n 's/.*"reason": *"\([^"]*\)".*/\1/p' <<<"$status" | head -n 1)
if [ "$mode" != machines ]; then
  echo "SKIPPED: the local cloud's machine mode is '${mode:-unknown}', not 'machines'${reason:+ ($reason)}; no rescue systems to write to"
  exit 0
fi
eval "$(drover local env)"

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)

# Median of the numbers on stdin (mean of the middle two for an even count).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = int((NR + 1) / 2); print (NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2) }'; }
mibs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1048576 }'; }
fmt() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# Prefixes each stderr line with the time it arrived.
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
# Before each timed run: the image in the page cache, and no dirty pages of an earlier run (a rescue disk is a sparse
# file here) left for the kernel to write back while this one runs; both sides get the same.
warm() { cat "$1" >/dev/null; sync; }

# ---- baseline: plain ssh + dd into a rescue system ---------------------------------------------------------------
# baseline KIND RUN
baseline() {
  local kind=$1 run=$2 img=${IMG[$1]} tag=$1.$2 name ip t0 t1 rc bytes deadline
  name=bench-upload-base-$kind-$run
  rm -f "$WORK/key" "$WORK/key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$WORK/key"
  BASE_KEY=$name
  hcloud ssh-key create --name "$name" --public-key-from-file "$WORK/key.pub" >/dev/null
  BASE_SERVER=$name
  hcloud server create --name "$name" --type cx23 --image ubuntu-24.04 --location fsn1 --ssh-key "$name" \
    --start-after-create=false >/dev/null
  hcloud server enable-rescue "$name" --type linux64 --ssh-key "$name" >/dev/null
  hcloud server poweron "$name" >/dev/null
  ip=$(hcloud server ip "$name")
  deadline=$(( SECONDS + 120 ))
  until ssh -i "$WORK/key" "${SSH_OPTS[@]}" -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR "root@$ip" 'test -b /dev/sda' </dev/null; do
    (( SECONDS < deadline )) || die "baseline $kind run $run: the rescue system at $ip did not accept SSH within 120 s"
    sleep 1
  done
  warm "$img"
  t0=$EPOCHREALTIME
  rc=0
  if (( UPLINK_MBIT > 0 )); then
    "$PYTHON" "$WORK/uplink" "$UPLINK_MBIT" <"$img" | ssh -i "$WORK/key" "${SSH_OPTS[@]}" "root@$ip" 'dd of=/dev/sda bs=4M conv=sparse' 2>"$WORK/base.$tag.err" || rc=$?
  else
    ssh -i "$WORK/key" "${SSH_OPTS[@]}" "root@$ip" 'dd of=/dev/sda bs=4M conv=sparse' <"$img" 2>"$WORK/base.$tag.err" || rc=$?
  fi
  t1=$EPOCHREALTIME
  [ "$rc" -eq 0 ] || { cat "$WORK/base.$tag.err" >&2; die "baseline $kind run $run: ssh + dd exited $rc"; }
  bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes.*copied.*/\1/p' "$WORK/base.$tag.err" | tail -n 1)
  [ "$bytes" = "$IMAGE_BYTES" ] || { cat "$WORK/base.$tag.err" >&2; die "baseline $kind run $run: dd wrote '${bytes:-?}' bytes, not $IMAGE_BYTES"; }
  hcloud server delete "$name" >/dev/null; BASE_SERVER=""
  hcloud ssh-key delete "$name" >/dev/null; BASE_KEY=""
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/base.$tag.s"
}

# ---- Drover: drover image upload --------------------------------------------------------------------------------
# droverrun TAG IMAGE PATH-DIR: one upload with PATH=PATH-DIR:$PATH (bin) or PATH=PATH-DIR alone (bin-nozstd).
droverrun() {
  local tag=$1 img=$2 bindir=$3 path t0 t1 rc snap sshlog=$WORK/ssh.$1
  mkdir -p "$sshlog"
  if [ "$bindir" = "$WORK/bin" ]; then path=$bindir:$PATH; else path=$bindir; fi
  warm "$img"
  t0=$EPOCHREALTIME
  set +o pipefail
  { rc=0
    env PATH="$path" BENCH_SSH_LOG="$sshlog" BENCH_UPLINK_MBIT="$UPLINK_MBIT" HCLOUD_DEBUG=1 /usr/bin/time -v -o "$WORK/time.$tag" "$DOTNET" "$DLL" image upload \
      --image-path "$img" --allow-unscanned --architecture x86 --force -o json 2>&1 1>"$WORK/drover.$tag.json" || rc=$?
    echo "$rc" >"$WORK/drover.$tag.rc"; } | stamp >"$WORK/drover.$tag.err"
  set -o pipefail
  t1=$EPOCHREALTIME
  rc=$(cat "$WORK/drover.$tag.rc")
  [ "$rc" -eq 0 ] || { cut -d' ' -f2- "$WORK/drover.$tag.err" | grep -v ' -> [0-9]* in [0-9]* ms' >&2; die "drover $tag: 'drover image upload' exited $rc"; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/drover.$tag.total"
  # Step durations: from one "==> step" line to the next, the last one to the process's end.
  awk -v end="$t1" '$2 == "==>" { if (name != "") printf "%s\t%.3f\n", name, $1 - start; name = substr($0, index($0, "==>") + 4); start = $1 }
    END { if (name != "") printf "%s\t%.3f\n", name, end - start }' "$WORK/drover.$tag.err" >"$WORK/drover.$tag.steps"
  grep -q '^write image	' "$WORK/drover.$tag.steps" || die "drover $tag: no '==> write image' step on stderr"
  grep -q '^map image	' "$WORK/drover.$tag.steps" || die "drover $tag: no '==> map image' step on stderr"
  awk -F'\t' '$1 == "write image" { print $2 }' "$WORK/drover.$tag.steps" >"$WORK/drover.$tag.s"
  awk -F'\t' '$1 == "map image" { print $2 }' "$WORK/drover.$tag.steps" >"$WORK/drover.$tag.map"
  sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$WORK/time.$tag" >"$WORK/drover.$tag.rsskb"
  [ -s "$WORK/drover.$tag.rsskb" ] || die "drover $tag: no 'Maximum resident set size' from /usr/bin/time"
  # Block bytes the rescue side wrote from the stream ("wrote L bytes (S sent, ...").
  sed -n 's/.*wrote [0-9]* bytes (\([0-9]*\) sent.*/\1/p' "$WORK/drover.$tag.err" | tail -n 1 >"$WORK/drover.$tag.sent"
  [ -s "$WORK/drover.$tag.sent" ] || die "drover $tag: no 'wrote N bytes (S sent' line with HCLOUD_DEBUG=1 (did it fall back to a plain stream?)"
  ssh_sent "$sshlog" write >"$WORK/drover.$tag.wire"
  [ "$(cat "$WORK/drover.$tag.wire")" -gt 0 ] || die "drover $tag: no 'Transferred:' line in the ssh log of the write session ($sshlog)"
  # Keep the machine state the same for the next run: drop the snapshot this run made.
  snap=$(sed -n 's/^ *"id": *\([0-9][0-9]*\).*/\1/p' "$WORK/drover.$tag.json" | head -n 1)
  [ -n "$snap" ] || die "drover $tag: no snapshot id in the JSON output"
  hcloud image delete "$snap" >/dev/null
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_t0=$SECONDS
for (( r = 1; r <= RUNS; r++ )); do
  for kind in "${KINDS[@]}"; do
    say "run $r/$RUNS, $kind: plain ssh + dd"
    baseline "$kind" "$r"
    say "run $r/$RUNS, $kind: drover image upload"
    droverrun "$kind.$r" "${IMG[$kind]}" "$WORK/bin"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
ZSTD_NOTE=""
if [ "$ZSTD_COMPARE" = 1 ]; then
  if [ -z "$HAVE_ZSTD" ]; then
    ZSTD_NOTE="skipped: no local zstd, so every run above was already uncompressed"
  else
    for kind in "${KINDS[@]}"; do
      say "once, $kind: drover image upload without zstd on the wire"
      droverrun "$kind.nozstd" "${IMG[$kind]}" "$WORK/bin-nozstd"
    done
  fi
fi
RSS_NOTE=""
if (( RSS_IMAGE_MIB > 0 )); then
  say "making a $RSS_IMAGE_MIB MiB $RSS_KIND image for the peak RSS run"
  for kind in "${KINDS[@]}"; do rm -f "${IMG[$kind]}"; done
  make_image "$RSS_KIND" "$RSS_IMAGE_MIB" "$WORK/rss.raw"
  say "once: drover image upload of the $RSS_IMAGE_MIB MiB image (peak RSS)"
  rss_t0=$SECONDS
  droverrun rss "$WORK/rss.raw" "$WORK/bin"
  rss_secs=$(( SECONDS - rss_t0 ))
  rm -f "$WORK/rss.raw"
fi
bench_secs=$(( SECONDS - bench_t0 ))
left=$(hcloud server list -o noheader | wc -l)

# ---- report --------------------------------------------------------------------------------------------------------
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "PASS" : "FAIL") }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
cipher=$(ssh -G 127.0.0.1 2>/dev/null | sed -n 's/^ciphers //p' | cut -d, -f1)
echo
echo "bench/upload: drover image upload vs plain ssh + dd, $RUNS runs of each kind, baseline and Drover alternating"
echo "  images:   $IMAGE_BYTES bytes ($IMAGE_MIB MiB) each, data from an $source_note"
echo "            half-zero: $((IMAGE_MIB / 2)) MiB data + $((IMAGE_MIB / 2)) MiB zeros (written, not holes), alternating $CHUNK_MIB MiB chunks"
echo "            random:    $IMAGE_MIB MiB data (incompressible; no zero block)"
echo "  machine:  $(nproc) CPUs ($cpu), $(ssh -V 2>&1), default cipher $cipher; local cloud machine mode: $mode"
echo "  load:     1/5/15-min load average $load_before before the runs, $load_after after (other work on the machine skews both paths)"
echo "  uplink:   $( (( UPLINK_MBIT > 0 )) && echo "$UPLINK_MBIT Mbit/s, emulated: every compared transfer enters ssh through a rate limiter (bench-only)" || echo "none: as fast as this machine moves bytes through ssh")"
echo "  baseline: ssh -i key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@IP 'dd of=/dev/sda bs=4M conv=sparse' < image"
echo "            (timed from ssh start to exit; fresh server + key per run, created, rescued and booted untimed; sends every byte)"
echo "  drover:   HCLOUD_DEBUG=1 /usr/bin/time -v dotnet drover.dll image upload --image-path image --allow-unscanned --architecture x86 --force -o json"
echo "            write: its 'write image' step (stderr '==> write image' to the next '==> '): ssh connect, discard, data blocks"
echo "            (zstd on the wire when both sides have it), direct writes, read-back of every block with its digest check"
echo "            map:   its 'map image' step before it (reads and hashes the whole file; not part of the ratio, shown as context)"
echo "            wire:  SSH packet bytes the write session sent (OpenSSH's 'Transferred: sent N'; after zstd and encryption)"
echo "  ratio:    plain ssh seconds / drover write seconds (same image bytes: the throughput ratio)"
for kind in "${KINDS[@]}"; do
  base_s=$(cat "$WORK"/base."$kind".*.s | median)
  drv_s=$(for (( r = 1; r <= RUNS; r++ )); do cat "$WORK/drover.$kind.$r.s"; done | median)
  ratio=$(awk -v b="$base_s" -v d="$drv_s" 'BEGIN { printf "%.2f", b / d }')
  echo
  echo "  == $kind =="
  printf '  %-6s %11s %8s   %9s %11s %8s %13s %12s %11s\n' run "plain ssh s" "MiB/s" "map s" "write s" "MiB/s" "end-to-end s" "wire MiB" "peak RSS MB"
  for (( r = 1; r <= RUNS; r++ )); do
    t=$kind.$r; b=$(cat "$WORK/base.$t.s"); d=$(cat "$WORK/drover.$t.s")
    printf '  %-6s %11s %8s   %9s %11s %8s %13s %12s %11s\n' "$r" "$(fmt "$b")" "$(mibs "$IMAGE_BYTES" "$b")" \
      "$(fmt "$(cat "$WORK/drover.$t.map")")" "$(fmt "$d")" "$(mibs "$IMAGE_BYTES" "$d")" "$(fmt "$(cat "$WORK/drover.$t.total")")" \
      "$(mib "$(cat "$WORK/drover.$t.wire")")" "$(mb "$(cat "$WORK/drover.$t.rsskb")")"
  done
  med() { for (( r = 1; r <= RUNS; r++ )); do cat "$WORK/drover.$kind.$r.$1"; done | median; }
  printf '  %-6s %11s %8s   %9s %11s %8s %13s %12s %11s\n' median "$(fmt "$base_s")" "$(mibs "$IMAGE_BYTES" "$base_s")" \
    "$(fmt "$(med map)")" "$(fmt "$drv_s")" "$(mibs "$IMAGE_BYTES" "$drv_s")" "$(fmt "$(med total)")" "$(mib "$(med wire)")" "$(mb "$(med rsskb)")"
  echo "  block bytes sent (median): $(med sent) of $IMAGE_BYTES (the rest are zero blocks, never sent)"
  echo "  drover steps (median seconds):"
  while IFS= read -r step; do
    printf '    %-28s %8s\n' "$step" "$(fmt "$(for (( r = 1; r <= RUNS; r++ )); do awk -F'\t' -v s="$step" '$1 == s { print $2 }' "$WORK/drover.$kind.$r.steps"; done | median)")"
  done < <(cut -f1 "$WORK/drover.$kind.1.steps")
  if [ "$kind" = half-zero ]; then
    echo "  RESULT half-zero: write-step ratio $ratio (drover write $(fmt "$drv_s") s, plain ssh $(fmt "$base_s") s, map step $(fmt "$(med map)") s apart)   target >= $HALF_TARGET: $(verdict "$ratio" "$HALF_TARGET")   goal >= $HALF_GOAL: $(verdict "$ratio" "$HALF_GOAL")"
  else
    echo "  RESULT random: write-step ratio $ratio (drover write $(fmt "$drv_s") s, plain ssh $(fmt "$base_s") s, map step $(fmt "$(med map)") s apart)   target >= $RANDOM_TARGET: $(verdict "$ratio" "$RANDOM_TARGET")"
  fi
  with_map=$(awk -v b="$base_s" -v d="$drv_s" -v m="$(med map)" 'BEGIN { printf "%.2f", b / (d + m) }')
  echo "  context: plain ssh / (drover map + write) = $with_map"
done
echo
if [ "$ZSTD_COMPARE" = 1 ] && [ -z "$ZSTD_NOTE" ]; then
  echo "  zstd on the wire, off vs on (write step; off: one run with zstd hidden from PATH, on: the median above):"
  for kind in "${KINDS[@]}"; do
    on=$(for (( r = 1; r <= RUNS; r++ )); do cat "$WORK/drover.$kind.$r.s"; done | median)
    on_wire=$(for (( r = 1; r <= RUNS; r++ )); do cat "$WORK/drover.$kind.$r.wire"; done | median)
    off=$(cat "$WORK/drover.$kind.nozstd.s")
    base_s=$(cat "$WORK"/base."$kind".*.s | median)
    printf '    %-10s off %7s s (%s MiB on the wire, ratio to plain ssh %s)   on %7s s (%s MiB, ratio %s)   off/on time %s\n' "$kind" \
      "$(fmt "$off")" "$(mib "$(cat "$WORK/drover.$kind.nozstd.wire")")" "$(awk -v b="$base_s" -v d="$off" 'BEGIN { printf "%.2f", b / d }')" \
      "$(fmt "$on")" "$(mib "$on_wire")" "$(awk -v b="$base_s" -v d="$on" 'BEGIN { printf "%.2f", b / d }')" \
      "$(awk -v a="$off" -v b="$on" 'BEGIN { printf "%.2f", a / b }')"
  done
elif [ -n "$ZSTD_NOTE" ]; then
  echo "  zstd off vs on: $ZSTD_NOTE"
else
  echo "  zstd off vs on: not run (ZSTD_COMPARE=0)"
fi
rss_1g=$(cat "$WORK"/drover.*.[0-9]*.rsskb | sort -n | tail -n 1)
echo "  peak RSS, $IMAGE_MIB MiB images: max $(mb "$rss_1g") MB over all runs above (GNU time: largest of dotnet and its reaped children ssh, zstd)"
if (( RSS_IMAGE_MIB > 0 )); then
  rss_kb=$(cat "$WORK/drover.rss.rsskb")
  rss_ok=$(awk -v k="$rss_kb" -v t="$RSS_TARGET_MB" 'BEGIN { print (k * 1024 / 1e6 <= t ? "PASS" : "FAIL") }')
  echo "  RESULT peak RSS, $RSS_IMAGE_MIB MiB $RSS_KIND image: $(mb "$rss_kb") MB   target <= $RSS_TARGET_MB MB: $rss_ok   (one run: ${rss_secs}s end to end, write step $(fmt "$(cat "$WORK/drover.rss.s")") s, map $(fmt "$(cat "$WORK/drover.rss.map")") s)"
else
  echo "  peak RSS for a 4 GiB image: not run (RSS_IMAGE_MIB=0)"
fi
echo "  bench time: ${bench_secs}s for the runs"
[ "$left" -eq 0 ] || echo "  warning: $left server(s) left in the local cloud after the runs"
exit 0

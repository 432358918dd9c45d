#!/usr/bin/env bash
# bench/delta: a delta upload (`drover image upload --base auto`) against a full upload of the same image, in the
# same run on one private local cloud.
#   v1: a 2 GiB raw image, about 60% fixed-seed random data in scattered runs of 4 MiB blocks, the rest holes (zeros)
#   v2: v1 with 5% of its 4 MiB blocks changed (a 1 MiB patch of new data in each, scattered, fixed seed) and one
#       64 MiB run rewritten whole
# v1 is uploaded once as `--name benchimg` (its snapshot is the base). Then, RUNS times, in alternating order:
#   full:  drover image upload --image-path v2 --name benchimg-full --force
#   delta: drover image upload --image-path v2 --name benchimg --base auto --force
# Each run's snapshot is deleted right after it (a delta's would otherwise be the next run's `auto` base, holding v2
# already), so every run starts from the same state: only v1's snapshot. A delta run that did not go over v1's snapshot
# (the "delta over snapshot V1" line missing) stops the bench.
# Measured per upload: SSH packet bytes of all of the command's ssh sessions, both directions (OpenSSH's closing
# "Transferred: sent N, received M bytes", logged through an ssh wrapper on PATH: after zstd and encryption, TCP/IP
# headers not counted), the block bytes the rescue side took from the stream (HCLOUD_DEBUG=1's "wrote L bytes (S sent"),
# and the wall time of the whole command. The report gives medians and the ratios delta / full with PASS/FAIL.
# Targets: delta bytes / full bytes <= 0.1, delta wall time / full wall time <= 0.35.
# Both compared uploads go through an emulated 100 Mbit/s uplink by default (UPLINK_MBIT): a delta is for re-uploading
# over a home or office uplink; at loopback speed (UPLINK_MBIT=0) the steps both share outweigh the transfer it saves.
# Exits 0 with "SKIPPED: <reason>" where rescue systems cannot run.
#
#   bash bench/delta.sh                   # from the repo root; builds src/Drover.Cli in Release first
#   RUNS=5 bash bench/delta.sh
#   RUNS=1 UPLINK_MBIT=0 bash bench/delta.sh   # loopback speed
#
# Knobs: RUNS (3), UPLINK_MBIT (100; 0 for loopback speed), IMAGE_MIB (2048), DATA_PCT (60), CHANGE_PCT (5),
# RUN_MIB (64), PATCH_KIB (1024), SEED (20240611).
#
# Needs: dotnet, hcloud (hcloud-cli), ssh, ssh-keygen, openssl (bash scripts/setup installs what Drover needs), and a
# machine where the local cloud runs rescue systems (root).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=${RUNS:-3}
# UPLINK_MBIT: emulate an uplink of that many Mbit/s for every transfer compared (0: as fast as this machine goes).
# 100 by default: a delta is for re-uploading over a home or office uplink, and at loopback speed (0) the fixed costs
# of both paths (temporary server, rescue boot, mapping, snapshot) outweigh the transfer the delta saves.
UPLINK_MBIT=${UPLINK_MBIT:-100}
PYTHON=$(command -v python3 || true)
IMAGE_MIB=${IMAGE_MIB:-2048}
DATA_PCT=${DATA_PCT:-60}
CHANGE_PCT=${CHANGE_PCT:-5}
RUN_MIB=${RUN_MIB:-64}
PATCH_KIB=${PATCH_KIB:-1024}
SEED=${SEED:-20240611}
BLOCK_MIB=4
BYTES_TARGET=0.1
WALL_TARGET=0.35

say() { printf 'bench/delta: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for v in RUNS IMAGE_MIB DATA_PCT CHANGE_PCT RUN_MIB PATCH_KIB SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
(( RUNS > 0 )) || die "RUNS must be positive"
(( IMAGE_MIB % BLOCK_MIB == 0 && RUN_MIB % BLOCK_MIB == 0 )) || die "IMAGE_MIB and RUN_MIB must be multiples of $BLOCK_MIB"
(( DATA_PCT > 0 && DATA_PCT < 100 )) || die "DATA_PCT must be between 1 and 99"
(( PATCH_KIB > 0 && PATCH_KIB <= BLOCK_MIB * 1024 && PATCH_KIB % 4 == 0 )) || die "PATCH_KIB must be a multiple of 4 up to $(( BLOCK_MIB * 1024 ))"
(( RUN_MIB < IMAGE_MIB / 2 )) || die "RUN_MIB must be less than half the image"

# ---- tools -----------------------------------------------------------------------------------------------------
for tool in dotnet hcloud ssh ssh-keygen openssl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/setup installs what Drover needs; openssl: apt-get install openssl)"
done
DOTNET=$(command -v dotnet)
REAL_SSH=$(command -v ssh)

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
WORK=$(mktemp -d -t drover-bench-delta.XXXXXX)
export HOME=$WORK/home
mkdir -p "$HOME"
CLOUD_UP=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$CLOUD_UP" ]; then
    drover local down >/dev/null 2>&1 || say "warning: 'drover local down' failed; see $HOME/.local/share/drover/local/local.log"
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ssh as Drover runs it, its transfer counters logged (see bench/upload.sh) ---------------------------------
mkdir -p "$WORK/bin"
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
# ssh_bytes DIR sent|received|both: SSH packet bytes of every session logged in DIR.
ssh_bytes() {
  local files=("$1"/*.log)
  [ -e "${files[0]}" ] || { echo 0; return; }
  sed -n 's/.*Transferred: sent \([0-9]*\), received \([0-9]*\) bytes.*/\1 \2/p' "${files[@]}" \
    | awk -v w="$2" '{ s += $1; r += $2 } END { printf "%d\n", (w == "sent" ? s : w == "received" ? r : s + r) }'
}

# ---- the images ----------------------------------------------------------------------------------------------------
BLOCK=$(( BLOCK_MIB * 1048576 ))
NBLOCKS=$(( IMAGE_MIB / BLOCK_MIB ))
IMAGE_BYTES=$(( IMAGE_MIB * 1048576 ))
V1=$WORK/v1.raw
V2=$WORK/v2.raw
# keystream BYTES IV: fixed-seed random bytes (AES-128-CTR of zeros), a different stream per IV.
keystream() { head -c "$1" /dev/zero | openssl enc -aes-128-ctr -K 6472f6f7657262656e6368206b657931 -iv "$(printf '%032x' "$2")"; }
# The layout, from a Park-Miller generator (exact in awk's doubles) seeded with SEED, so every run builds the same images:
#   "D START COUNT"  a data run of COUNT blocks (v1); runs of data (1..2*mean) and holes alternate, mean data share DATA_PCT
#   "R START COUNT"  the rewritten run (v2), RUN_MIB long, block-aligned
#   "P BLOCK OFFSET" a PATCH_KIB patch of new data at OFFSET in that block (v2); CHANGE_PCT of all blocks, outside R
awk -v n="$NBLOCKS" -v seed="$SEED" -v pct="$DATA_PCT" -v change="$CHANGE_PCT" -v run="$(( RUN_MIB / BLOCK_MIB ))" \
    -v patch="$PATCH_KIB" -v blockkib="$(( BLOCK_MIB * 1024 ))" '
  function rnd(m) { x = (x * 16807) % 2147483647; return x % m }
  BEGIN {
    x = seed % 2147483646 + 1
    dmax = int(16 * pct / 50); zmax = int(16 * (100 - pct) / 50)   # mean run lengths in the ratio pct : 100 - pct
    b = 0; data = 1
    while (b < n) {
      len = 1 + rnd(data ? dmax : zmax); if (b + len > n) len = n - b
      if (data) print "D", b, len
      b += len; data = !data
    }
    rs = rnd(n - run); print "R", rs, run
    want = int(n * change / 100 + 0.5); got = 0
    while (got < want) {
      k = rnd(n)
      if (k >= rs && k < rs + run) continue
      if (k in taken) continue
      taken[k] = 1; got++
      print "P", k, 4 * rnd((blockkib - patch) / 4 + 1)
    }
  }' >"$WORK/layout"
say "making v1: a $IMAGE_MIB MiB image of data runs and holes"
iv=0
truncate -s "$IMAGE_BYTES" "$V1"
while read -r what start count; do
  [ "$what" = D ] || continue
  iv=$(( iv + 1 ))
  keystream $(( count * BLOCK )) "$iv" | dd of="$V1" bs=4M seek="$start" conv=notrunc iflag=fullblock status=none
done <"$WORK/layout"
say "making v2: v1 with $CHANGE_PCT% of its blocks patched and one $RUN_MIB MiB run rewritten"
cp --sparse=always "$V1" "$V2"
while read -r what start count; do
  iv=$(( iv + 1 ))
  case $what in
    R) keystream $(( count * BLOCK )) $(( 1000000 + iv )) | dd of="$V2" bs=4M seek="$start" conv=notrunc iflag=fullblock status=none ;;
    P) keystream $(( PATCH_KIB * 1024 )) $(( 1000000 + iv )) \
         | dd of="$V2" bs=4096 seek=$(( (start * BLOCK + count * 1024) / 4096 )) conv=notrunc iflag=fullblock status=none ;;
  esac
done <"$WORK/layout"
[ "$(stat -c %s "$V1")" -eq "$IMAGE_BYTES" ] && [ "$(stat -c %s "$V2")" -eq "$IMAGE_BYTES" ] || die "the images are not $IMAGE_BYTES bytes"
data_blocks=$(awk '$1 == "D" { s += $3 } END { print s + 0 }' "$WORK/layout")
patched=$(awk '$1 == "P"' "$WORK/layout" | wc -l)
# Block by block: how many differ between v1 and v2, and how many of v2's hold data (what a full upload sends).
read -r differ v2data < <(python3 - "$V1" "$V2" "$BLOCK" <<'PY' 2>/dev/null || echo "? ?"
import sys
a, b, n = open(sys.argv[1], "rb"), open(sys.argv[2], "rb"), int(sys.argv[3])
zero, differ, data = bytes(n), 0, 0
while True:
    x, y = a.read(n), b.read(n)
    if not y:
        break
    differ += x != y
    data += y != zero[: len(y)]
print(differ, data)
PY
)

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

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = int((NR + 1) / 2); print (NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2) }'; }
fmt() { if [ -z "$1" ] || [ "$1" = nan ]; then echo -; else awk -v x="$1" 'BEGIN { printf "%.2f", x }'; fi; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# upload TAG IMAGE ARGS...: one `drover image upload`, timed whole; its snapshot id goes to $WORK/TAG.snap.
# LIMIT (default UPLINK_MBIT) is the emulated uplink of this upload.
upload() {
  local tag=$1 img=$2 t0 t1 rc sshlog=$WORK/ssh.$1 limit=${LIMIT:-$UPLINK_MBIT}
  shift 2
  mkdir -p "$sshlog"
  cat "$img" >/dev/null   # the page cache holds the image for every run alike
  sync                    # and no earlier run's dirty pages are left to write back during this one
  t0=$EPOCHREALTIME
  set +o pipefail
  { rc=0
    env PATH="$WORK/bin:$PATH" BENCH_SSH_LOG="$sshlog" BENCH_UPLINK_MBIT="$limit" HCLOUD_DEBUG=1 "$DOTNET" "$DLL" image upload --image-path "$img" \
      --allow-unscanned --architecture x86 -o json "$@" 2>&1 1>"$WORK/$tag.json" || rc=$?
    echo "$rc" >"$WORK/$tag.rc"; } | stamp >"$WORK/$tag.err"
  set -o pipefail
  t1=$EPOCHREALTIME
  rc=$(cat "$WORK/$tag.rc")
  [ "$rc" -eq 0 ] || { cut -d' ' -f2- "$WORK/$tag.err" | grep -v ' -> [0-9]* in [0-9]* ms' >&2; die "$tag: 'drover image upload $*' exited $rc"; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/$tag.wall"
  awk -v end="$t1" '$2 == "==>" { if (name != "") printf "%s\t%.3f\n", name, $1 - start; name = substr($0, index($0, "==>") + 4); start = $1 }
    END { if (name != "") printf "%s\t%.3f\n", name, end - start }' "$WORK/$tag.err" >"$WORK/$tag.steps"
  sed -n 's/.*wrote [0-9]* bytes (\([0-9]*\) sent.*/\1/p' "$WORK/$tag.err" | tail -n 1 >"$WORK/$tag.sent"
  [ -s "$WORK/$tag.sent" ] || die "$tag: no 'wrote N bytes (S sent' line with HCLOUD_DEBUG=1 (a plain stream instead of blocks?)"
  ssh_bytes "$sshlog" both >"$WORK/$tag.wire"
  ssh_bytes "$sshlog" sent >"$WORK/$tag.wiresent"
  [ "$(cat "$WORK/$tag.wire")" -gt 0 ] || die "$tag: no 'Transferred:' line in the ssh logs ($sshlog)"
  sed -n 's/^ *"id": *\([0-9][0-9]*\).*/\1/p' "$WORK/$tag.json" | head -n 1 >"$WORK/$tag.snap"
  [ -s "$WORK/$tag.snap" ] || die "$tag: no snapshot id in the JSON output"
}

say "uploading v1 (full, --name benchimg): the base (set-up, not compared: no uplink limit)"
LIMIT=0 upload v1 "$V1" --name benchimg
BASE=$(cat "$WORK/v1.snap")
grep -q "drover/blocks" < <(hcloud image describe "$BASE" -o json) || die "v1's snapshot $BASE has no drover/blocks label"

full() {
  say "run $1/$RUNS: full upload of v2 (--name benchimg-full)"
  upload "full.$1" "$V2" --name benchimg-full --force
  hcloud image delete "$(cat "$WORK/full.$1.snap")" >/dev/null
}
delta() {
  say "run $1/$RUNS: delta upload of v2 (--name benchimg --base auto)"
  upload "delta.$1" "$V2" --name benchimg --base auto --force
  grep -q "delta over snapshot $BASE:" "$WORK/delta.$1.err" \
    || { cut -d' ' -f2- "$WORK/delta.$1.err" | grep -v ' -> [0-9]* in [0-9]* ms' >&2; die "delta run $1 did not go over v1's snapshot $BASE"; }
  sed -n "s/.*delta over snapshot $BASE: \([0-9]*\) bytes in \([0-9]*\) blocks differ.*/\1 \2/p" "$WORK/delta.$1.err" | tail -n 1 >"$WORK/delta.$1.plan"
  hcloud image delete "$(cat "$WORK/delta.$1.snap")" >/dev/null
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_t0=$SECONDS
for (( r = 1; r <= RUNS; r++ )); do
  if (( r % 2 )); then full "$r"; delta "$r"; else delta "$r"; full "$r"; fi
done
bench_secs=$(( SECONDS - bench_t0 ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
left=$(hcloud server list -o noheader | wc -l)

# ---- report --------------------------------------------------------------------------------------------------------
med() { for (( r = 1; r <= RUNS; r++ )); do cat "$WORK/$1.$r.$2"; done | median; }
step() { for (( r = 1; r <= RUNS; r++ )); do awk -F'\t' -v s="$2" '$1 == s { print $2 }' "$WORK/$1.$r.steps"; done | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "PASS" : "FAIL") }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
full_wire=$(med full wire); delta_wire=$(med delta wire)
full_sent=$(med full sent); delta_sent=$(med delta sent)
full_wall=$(med full wall); delta_wall=$(med delta wall)
bytes_ratio=$(ratio "$delta_wire" "$full_wire")
sent_ratio=$(ratio "$delta_sent" "$full_sent")
wall_ratio=$(ratio "$delta_wall" "$full_wall")
echo
echo "bench/delta: drover image upload --base auto vs a full upload of the same image, $RUNS runs of each, alternating"
echo "  v1:       $IMAGE_BYTES bytes ($IMAGE_MIB MiB), $NBLOCKS blocks of $BLOCK_MIB MiB: $data_blocks data blocks ($(awk -v d="$data_blocks" -v n="$NBLOCKS" 'BEGIN { printf "%.0f", 100 * d / n }')%, AES-128-CTR keystream, fixed seed $SEED) in scattered runs, the rest holes"
echo "  v2:       v1 with $patched blocks ($CHANGE_PCT%) patched ($PATCH_KIB KiB of new data each, scattered) and one $RUN_MIB MiB run rewritten:"
echo "            $differ blocks differ from v1 ($(mib $(( ${differ/\?/0} * BLOCK ))) MiB); v2 has $v2data data blocks ($(mib $(( ${v2data/\?/0} * BLOCK ))) MiB)"
echo "  machine:  $(nproc) CPUs ($cpu), $(ssh -V 2>&1); local cloud machine mode: $mode"
echo "  load:     1/5/15-min load average $load_before before the runs, $load_after after (other work on the machine skews both)"
echo "  uplink:   $( (( UPLINK_MBIT > 0 )) && echo "$UPLINK_MBIT Mbit/s, emulated: every compared transfer enters ssh through a rate limiter (bench-only)" || echo "none: as fast as this machine moves bytes through ssh")"
echo "  base:     snapshot $BASE (v1, --name benchimg, uploaded once before the runs in $(fmt "$(cat "$WORK/v1.wall")") s)"
echo "  full:     HCLOUD_DEBUG=1 drover image upload --image-path v2 --name benchimg-full --force --allow-unscanned --architecture x86"
echo "  delta:    HCLOUD_DEBUG=1 drover image upload --image-path v2 --name benchimg --base auto --force --allow-unscanned --architecture x86"
echo "            (each run's snapshot deleted after it; odd runs full first, even runs delta first)"
echo "  measured: wire  = SSH packet bytes of all the command's ssh sessions (probe, hash, write), both directions, from"
echo "                    OpenSSH's 'Transferred: sent N, received M bytes' (after zstd and encryption; TCP/IP headers not counted)"
echo "            block = block bytes the rescue side took from the stream (\"wrote L bytes (S sent\"), before zstd, frames not counted"
echo "            wall  = the whole command, start to exit"
echo
printf '  %-4s %-6s %10s %11s %11s %9s %9s %9s %9s\n' run upload "wire MiB" "sent MiB" "block MiB" "wall s" "map s" "hash s" "write s"
for (( r = 1; r <= RUNS; r++ )); do
  for k in full delta; do
    t=$k.$r
    printf '  %-4s %-6s %10s %11s %11s %9s %9s %9s %9s\n' "$r" "$k" "$(mib "$(cat "$WORK/$t.wire")")" "$(mib "$(cat "$WORK/$t.wiresent")")" \
      "$(mib "$(cat "$WORK/$t.sent")")" "$(fmt "$(cat "$WORK/$t.wall")")" \
      "$(fmt "$(awk -F'\t' '$1 == "map image" { print $2 }' "$WORK/$t.steps")")" \
      "$(fmt "$(awk -F'\t' '$1 == "hash base disk" { print $2 }' "$WORK/$t.steps")")" \
      "$(fmt "$(awk -F'\t' '$1 == "write image" { print $2 }' "$WORK/$t.steps")")"
  done
done
echo
echo "  steps (median seconds):"
printf '    %-28s %8s %8s\n' step full delta
while IFS= read -r s; do
  printf '    %-28s %8s %8s\n' "$s" "$(fmt "$(step full "$s")")" "$(fmt "$(step delta "$s")")"
done < <(cut -f1 "$WORK/delta.1.steps")
printf '    %-28s %8s %8s\n' "(whole command)" "$(fmt "$full_wall")" "$(fmt "$delta_wall")"
read -r plan_bytes plan_blocks <"$WORK/delta.1.plan"
echo "  delta plan (run 1): $plan_blocks blocks, $(mib "$plan_bytes") MiB differ from the base's disk"
echo
echo "  medians:  full  $(mib "$full_wire") MiB on the wire, $(mib "$full_sent") MiB of blocks, $(fmt "$full_wall") s"
echo "            delta $(mib "$delta_wire") MiB on the wire, $(mib "$delta_sent") MiB of blocks, $(fmt "$delta_wall") s"
echo "  RESULT bytes: delta / full = $bytes_ratio (wire)   target <= $BYTES_TARGET: $(verdict "$bytes_ratio" "$BYTES_TARGET")   (block bytes: $sent_ratio)"
echo "  RESULT wall:  delta / full = $wall_ratio   target <= $WALL_TARGET: $(verdict "$wall_ratio" "$WALL_TARGET")"
echo "  bench time: ${bench_secs}s for the runs"
[ "$left" -eq 0 ] || echo "  warning: $left server(s) left in the local cloud after the runs"
exit 0

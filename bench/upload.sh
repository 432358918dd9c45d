#!/usr/bin/env bash
# bench/upload: imports a 1 GiB raw image (half random data, half zeros, in alternating chunks) with
# `drover image upload --image-path` and, in the same run against the same kind of rescue system of a private local
# cloud, streams the same bytes with plain `ssh root@IP 'dd of=/dev/sda bs=4M conv=sparse' < image` (the baseline).
# Baseline and Drover alternate RUNS times each; the report gives medians, the throughput ratio (Drover's
# "write image" step against plain ssh), Drover's end-to-end time and per-step times, and Drover's peak RSS.
# Targets: ratio >= 0.9, peak RSS <= 150 MB. Exits 0 with "SKIPPED: <reason>" where rescue systems cannot run.
#
#   bash bench/upload.sh                  # from the repo root; builds src/Drover.Cli in Release first
#   RUNS=5 IMAGE_MIB=2048 bash bench/upload.sh
#
# Needs: dotnet, hcloud (hcloud-cli), ssh, ssh-keygen (bash scripts/setup installs them), GNU time (installed here
# with apt-get when missing and possible), and a machine where the local cloud runs rescue systems (root).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=${RUNS:-3}
IMAGE_MIB=${IMAGE_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-64}
RSS_TARGET_MB=150
RATIO_TARGET=0.9

say() { printf 'bench/upload: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $IMAGE_MIB =~ ^[1-9][0-9]*$ && $CHUNK_MIB =~ ^[1-9][0-9]*$ ]] || die "IMAGE_MIB and CHUNK_MIB must be positive integers"
(( IMAGE_MIB % (2 * CHUNK_MIB) == 0 )) || die "IMAGE_MIB ($IMAGE_MIB) must be a multiple of 2 * CHUNK_MIB ($CHUNK_MIB)"

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
drover() { dotnet "$DLL" "$@"; }

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

# ---- the image ---------------------------------------------------------------------------------------------------
IMG=$WORK/image.raw
IMAGE_BYTES=$(( IMAGE_MIB * 1048576 ))
chunk=$(( CHUNK_MIB * 1048576 ))
say "making a $IMAGE_MIB MiB image: alternating $CHUNK_MIB MiB of random data and $CHUNK_MIB MiB of zeros"
if command -v openssl >/dev/null 2>&1; then
  # Fixed seed: AES-128-CTR keystream (one IV per chunk), so every run uploads the same bytes.
  data() { head -c "$chunk" /dev/zero | openssl enc -aes-128-ctr -K 6472f6f7657262656e6368206b657930 -iv "$(printf '%032x' "$1")"; }
  source_note="AES-128-CTR keystream, fixed seed"
else
  data() { head -c "$chunk" /dev/urandom; }
  source_note="/dev/urandom"
fi
for (( i = 0; i < IMAGE_MIB / (2 * CHUNK_MIB); i++ )); do
  data "$i"
  head -c "$chunk" /dev/zero
done >"$IMG"
[ "$(stat -c %s "$IMG")" -eq "$IMAGE_BYTES" ] || die "the image has $(stat -c %s "$IMG") bytes, not $IMAGE_BYTES"

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
# Prefixes each stderr line with the time it arrived.
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
warm() { cat "$IMG" >/dev/null; }

# ---- baseline: plain ssh + dd into a rescue system ---------------------------------------------------------------
baseline() {
  local run=$1 name ip t0 t1 rc bytes deadline
  name=bench-upload-base-$run
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
    (( SECONDS < deadline )) || die "baseline run $run: the rescue system at $ip did not accept SSH within 120 s"
    sleep 1
  done
  warm
  t0=$EPOCHREALTIME
  rc=0
  ssh -i "$WORK/key" "${SSH_OPTS[@]}" "root@$ip" 'dd of=/dev/sda bs=4M conv=sparse' <"$IMG" 2>"$WORK/base.$run.err" || rc=$?
  t1=$EPOCHREALTIME
  [ "$rc" -eq 0 ] || { cat "$WORK/base.$run.err" >&2; die "baseline run $run: ssh + dd exited $rc"; }
  bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes.*copied.*/\1/p' "$WORK/base.$run.err" | tail -n 1)
  [ "$bytes" = "$IMAGE_BYTES" ] || { cat "$WORK/base.$run.err" >&2; die "baseline run $run: dd wrote '${bytes:-?}' bytes, not $IMAGE_BYTES"; }
  hcloud server delete "$name" >/dev/null; BASE_SERVER=""
  hcloud ssh-key delete "$name" >/dev/null; BASE_KEY=""
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/base.$run.s"
}

# ---- Drover: drover image upload --------------------------------------------------------------------------------
droverrun() {
  local run=$1 t0 t1 rc snap
  warm
  t0=$EPOCHREALTIME
  set +o pipefail
  { rc=0
    /usr/bin/time -v -o "$WORK/time.$run" dotnet "$DLL" image upload --image-path "$IMG" --allow-unscanned --architecture x86 --force -o json \
      2>&1 1>"$WORK/drover.$run.json" || rc=$?
    echo "$rc" >"$WORK/drover.$run.rc"; } | stamp >"$WORK/drover.$run.err"
  set -o pipefail
  t1=$EPOCHREALTIME
  rc=$(cat "$WORK/drover.$run.rc")
  [ "$rc" -eq 0 ] || { cut -d' ' -f2- "$WORK/drover.$run.err" >&2; die "drover run $run: 'drover image upload' exited $rc"; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$WORK/drover.$run.total"
  # Step durations: from one "==> step" line to the next, the last one to the process's end.
  awk -v end="$t1" '$2 == "==>" { if (name != "") printf "%s\t%.3f\n", name, $1 - start; name = substr($0, index($0, "==>") + 4); start = $1 }
    END { if (name != "") printf "%s\t%.3f\n", name, end - start }' "$WORK/drover.$run.err" >"$WORK/drover.$run.steps"
  grep -q '^write image	' "$WORK/drover.$run.steps" || die "drover run $run: no '==> write image' step on stderr"
  awk -F'\t' '$1 == "write image" { print $2 }' "$WORK/drover.$run.steps" >"$WORK/drover.$run.s"
  sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$WORK/time.$run" >"$WORK/drover.$run.rsskb"
  [ -s "$WORK/drover.$run.rsskb" ] || die "drover run $run: no 'Maximum resident set size' from /usr/bin/time"
  # Keep the machine state the same for the next run: drop the snapshot this run made.
  snap=$(sed -n 's/^ *"id": *\([0-9][0-9]*\).*/\1/p' "$WORK/drover.$run.json" | head -n 1)
  [ -n "$snap" ] || die "drover run $run: no snapshot id in the JSON output"
  hcloud image delete "$snap" >/dev/null
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for (( r = 1; r <= RUNS; r++ )); do
  say "run $r/$RUNS: plain ssh + dd"
  baseline "$r"
  say "run $r/$RUNS: drover image upload"
  droverrun "$r"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
left=$(hcloud server list -o noheader | wc -l)

# ---- report --------------------------------------------------------------------------------------------------------
base_s=$(cat "$WORK"/base.*.s | median)
drv_s=$(cat "$WORK"/drover.*.s | median)
drv_total=$(cat "$WORK"/drover.*.total | median)
rss_med_kb=$(cat "$WORK"/drover.*.rsskb | median)
rss_max_kb=$(cat "$WORK"/drover.*.rsskb | sort -n | tail -n 1)
base_mibs=$(mibs "$IMAGE_BYTES" "$base_s")
drv_mibs=$(mibs "$IMAGE_BYTES" "$drv_s")
ratio=$(awk -v b="$base_s" -v d="$drv_s" 'BEGIN { printf "%.2f", b / d }')
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }
ratio_ok=$(awk -v r="$ratio" -v t="$RATIO_TARGET" 'BEGIN { print (r >= t ? "MET" : "NOT MET") }')
rss_ok=$(awk -v k="$rss_max_kb" -v t="$RSS_TARGET_MB" 'BEGIN { print (k * 1024 / 1e6 <= t ? "MET" : "NOT MET") }')

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
cipher=$(ssh -G 127.0.0.1 2>/dev/null | sed -n 's/^ciphers //p' | cut -d, -f1)
echo
echo "bench/upload: drover image upload vs plain ssh + dd, $RUNS runs each, alternating"
echo "  image:    $IMAGE_BYTES bytes ($IMAGE_MIB MiB): $((IMAGE_MIB / 2)) MiB random data ($source_note) + $((IMAGE_MIB / 2)) MiB zeros, alternating $CHUNK_MIB MiB chunks"
echo "  machine:  $(nproc) CPUs ($cpu), $(ssh -V 2>&1), default cipher $cipher; local cloud machine mode: $mode"
echo "  load:     1/5/15-min load average $load_before before the runs, $load_after after (other work on the machine skews both paths)"
echo "  baseline: ssh -i key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@IP 'dd of=/dev/sda bs=4M conv=sparse' < image"
echo "            (timed from ssh start to exit; fresh server + key per run, created, rescued and booted untimed)"
echo "  drover:   /usr/bin/time -v dotnet drover.dll image upload --image-path image --allow-unscanned --architecture x86 --force -o json"
echo "            (throughput from its 'write image' step: ssh connect, discard, stream, hash, sparse write, fsync, read-back verify)"
echo
printf '  %-6s %14s %10s   %14s %10s %14s %12s\n' run "plain ssh s" "MiB/s" "drover write s" "MiB/s" "end-to-end s" "peak RSS MB"
for (( r = 1; r <= RUNS; r++ )); do
  b=$(cat "$WORK/base.$r.s"); d=$(cat "$WORK/drover.$r.s")
  printf '  %-6s %14s %10s   %14s %10s %14s %12s\n' "$r" "$(fmt "$b")" "$(mibs "$IMAGE_BYTES" "$b")" "$(fmt "$d")" \
    "$(mibs "$IMAGE_BYTES" "$d")" "$(fmt "$(cat "$WORK/drover.$r.total")")" "$(mb "$(cat "$WORK/drover.$r.rsskb")")"
done
printf '  %-6s %14s %10s   %14s %10s %14s %12s\n' median "$(fmt "$base_s")" "$base_mibs" "$(fmt "$drv_s")" "$drv_mibs" "$(fmt "$drv_total")" "$(mb "$rss_med_kb")"
echo
echo "  drover steps (median seconds over $RUNS runs):"
steps=$(cut -f1 "$WORK/drover.1.steps")
while IFS= read -r step; do
  printf '    %-28s %8s\n' "$step" "$(fmt "$(awk -F'\t' -v s="$step" '$1 == s { print $2 }' "$WORK"/drover.*.steps | median)")"
done <<<"$steps"
printf '    %-28s %8s\n' "(whole command)" "$(fmt "$drv_total")"
echo
echo "  bytes per run:           $IMAGE_BYTES (both paths)"
echo "  plain ssh (median):      $(fmt "$base_s") s, $base_mibs MiB/s"
echo "  drover write (median):   $(fmt "$drv_s") s, $drv_mibs MiB/s"
echo "  drover end-to-end:       $(fmt "$drv_total") s (hash, temporary key and server, rescue boot, write, shutdown, snapshot, cleanup)"
echo "  throughput ratio:        $ratio (drover write step / plain ssh)   target >= $RATIO_TARGET: $ratio_ok"
echo "  peak RSS:                median $(mb "$rss_med_kb") MB, max $(mb "$rss_max_kb") MB (GNU time: largest of the process and its reaped children)   target <= $RSS_TARGET_MB MB: $rss_ok"
[ "$left" -eq 0 ] || echo "  warning: $left server(s) left in the local cloud after the runs"
exit 0

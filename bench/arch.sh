#!/usr/bin/env bash
# bench/arch: what an arm64 fleet costs against an x86 one on this machine, side by side in one run. Both run the main
# job for one host ('drover demo --architecture A --hosts 1') on the same private local cloud, one after the other (so
# the emulated guests do not compete for the 2 cores): build the image from the cached root file system, import it
# through a rescue system (cx23 / cax11), boot it (SeaBIOS / AAVMF under qemu-system-aarch64, both TCG) and wait for
# the agent over SSH. arm64 on x86 is emulated twice over: its maintainer scripts through qemu-user at bootstrap, the
# whole guest through TCG at boot.
#
#   ratio = arm / x86 per step (> 1: arm is slower by that factor)
#
#   bash bench/arch.sh                 # from the repo root; BOOTSTRAP=1 also times an uncached mmdebstrap of each
# Exits 0 with "SKIPPED: <reason>" where the local cloud cannot boot both architectures.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf 'bench/arch: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in dotnet python3; do command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/setup)"; done

say "building src/Drover.Cli (Release) and publishing drover-agent for both architectures"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build -c Release src/Drover.Cli/Drover.Cli.csproj --nologo -v q >/dev/null || die "the Release build failed"
bash scripts/publish-agent linux-x64 >/dev/null || die "scripts/publish-agent linux-x64 failed"
bash scripts/publish-agent linux-arm64 >/dev/null || die "scripts/publish-agent linux-arm64 failed"
DLL=$ROOT/artifacts/bin/Drover.Cli/release/drover.dll
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
drover() { dotnet "$DLL" "$@"; }

WORK=$(mktemp -d -t drover-bench-arch.XXXXXX)
export HOME=$WORK/home XDG_CACHE_HOME=$CACHE
mkdir -p "$HOME"
cleanup() { set +e; drover local down >/dev/null 2>&1; rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT

status=$(drover local up -o json)
missing=$(printf '%s' "$status" | python3 -c '
import json, sys
m = json.load(sys.stdin).get("machine") or {}
if m.get("mode") != "machines":
    print(m.get("reason") or "no machines"); sys.exit()
for a in m.get("architectures") or []:
    if not a.get("available"):
        print(str(a.get("architecture")) + ": " + str(a.get("reason")))')
[ -z "$missing" ] || { echo "SKIPPED: the local cloud cannot boot both architectures here: $missing"; exit 0; }

declare -A bootstrap
if [ "${BOOTSTRAP:-0}" = 1 ]; then
  for arch in x86 arm; do
    say "uncached bootstrap of the $arch root file system (mmdebstrap --no-cache)"
    start=$(date +%s.%N)
    drover image build --architecture "$arch" --no-cache --cache-dir "$WORK/cache-$arch" --output-dir "$WORK/build-$arch" >/dev/null
    bootstrap[$arch]=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  done
fi

for arch in x86 arm; do
  say "the main job for one $arch host"
  drover demo --architecture "$arch" --hosts 1 --work-dir "$WORK/demo-$arch" > "$WORK/$arch.out" 2> "$WORK/$arch.err" \
    || { cat "$WORK/$arch.err" >&2; die "the $arch demo failed"; }
done

python3 - "$WORK/x86.out" "$WORK/arm.out" "${bootstrap[x86]:-}" "${bootstrap[arm]:-}" <<'PY'
import re, sys

def parse(path):
    steps, host = {}, {}
    for line in open(path):
        m = re.match(r"^(build|upload|bootstrap|it boots|total)\b.*?\s(\d+\.\d) s\s*$", line)
        if m:
            steps[m.group(1)] = float(m.group(2))
        m = re.match(r"^demo-1\s+\d+\s+\S+\s+\S+\s+(\S+)\s+([\d.]+) s\s+([\d.]+) s\s+(\d+) s\s*$", line)
        if m:
            host = {"status": m.group(1), "agent": float(m.group(2)), "login": float(m.group(4))}
    return steps, host

(xs, xh), (as_, ah) = parse(sys.argv[1]), parse(sys.argv[2])
if xh.get("status") != "ok" or ah.get("status") != "ok":
    sys.exit(f"an agent did not report ok: x86 {xh}, arm {ah}")
rows = [
    ("image build (cached root fs)", xs["build"], as_["build"]),
    ("import through a rescue system", xs["upload"], as_["upload"]),
    ("power-on to SSH login", xh["login"], ah["login"]),
    ("agent (its own clock)", xh["agent"], ah["agent"]),
    ("main job, one host", xs["total"], as_["total"]),
]
if sys.argv[3] and sys.argv[4]:
    rows.insert(0, ("uncached root fs bootstrap", float(sys.argv[3]), float(sys.argv[4])))
print(f"{'step':34} {'x86 s':>8} {'arm s':>8} {'arm/x86':>8}")
for name, x, a in rows:
    print(f"{name:34} {x:8.1f} {a:8.1f} {a / x if x else float('nan'):8.2f}")
PY

#!/usr/bin/env bash
# bench/firstboot: drover-agent's first-boot time (start to done, the converge command excluded) against cloud-init's
# Hetzner datasource, in the same image and the same boots. The image is the Debian builder's with drover-agent, plus
# the variant's packages cloud-init and isc-dhcp-client (cloud-init's ephemeral DHCP); both run at first boot of the
# same servers of a private local cloud (QEMU/TCG, metadata at 169.254.169.254, DMI vendor Hetzner). The user-data is
# the same structured cloud-config for both, without a converge command (nothing to exclude on cloud-init's side).
# The user-data is a template with disable_root: false (cloud-init's Debian default would lock root's SSH login).
#
#   agent time      = /var/lib/drover/status.json agent_seconds (its own clock, converge excluded)
#   cloud-init time = the sum of its stages' durations in /run/cloud-init/status.json (init-local, init,
#                     modules-config, modules-final: finished - start each; the waits between stages are not counted)
#   ratio           = agent / cloud-init (lower is better for the agent; < 1 means the agent is faster)
#
#   bash bench/firstboot.sh            # HOSTS=2 servers (samples); from the repo root
# Exits 0 with "SKIPPED: <reason>" where the local cloud cannot boot servers (needs root, QEMU, namespaces).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT=$PWD
HOSTS=${HOSTS:-2}
say() { printf 'bench/firstboot: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for tool in dotnet ssh ssh-keygen python3; do command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/setup)"; done

say "building src/Drover.Cli (Release) and publishing drover-agent"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build -c Release src/Drover.Cli/Drover.Cli.csproj --nologo -v q >/dev/null || die "the Release build failed"
[ -x artifacts/agent/linux-x64/drover-agent ] || bash scripts/publish-agent >/dev/null || die "scripts/publish-agent failed"
DLL=$ROOT/artifacts/bin/Drover.Cli/release/drover.dll
AGENT=$ROOT/artifacts/agent/linux-x64/drover-agent
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
drover() { dotnet "$DLL" "$@"; }

WORK=$(mktemp -d -t drover-bench-firstboot.XXXXXX)
export HOME=$WORK/home XDG_CACHE_HOME=$CACHE
mkdir -p "$HOME"
cleanup() { set +e; drover local down >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

mode=$(drover local up -o json | python3 -c 'import json,sys; m=json.load(sys.stdin).get("machine") or {}; print(m.get("mode",""), "|", m.get("reason") or "")')
case $mode in
  machines*) ;;
  *) echo "SKIPPED: the local cloud cannot boot servers here: ${mode#*|}"; exit 0 ;;
esac

say "building the image (debian + drover-agent + cloud-init)"
drover image build --builder debian --name firstboot --package cloud-init --package isc-dhcp-client \
  --agent "$AGENT" --output-dir "$WORK/image" >&2
say "uploading it"
snapshot=$(drover image upload --image-path "$WORK/image/firstboot.raw" --architecture x86 --labels os=debian,bench=firstboot -o json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

ssh-keygen -q -t ed25519 -N '' -C bench -f "$WORK/key"
{
  printf 'fleet: bench-firstboot\ndefaults:\n  location: fsn1\n  server_type: cx23\n'
  printf '  ssh_keys:\n    - name: bench\n      public_key_file: key.pub\n  identity_file: key\n'
  printf 'images:\n  img: {id: %s}\nhosts:\n' "$snapshot"
  for i in $(seq 1 "$HOSTS"); do printf '  fb-%d: {image: img, user_data: {templates: [user-data.yaml]}}\n' "$i"; done
} > "$WORK/drover.yaml"
printf '#cloud-config\nhostname: ${HOSTNAME}\ndisable_root: false\nssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}\n' > "$WORK/user-data.yaml"
say "bootstrapping $HOSTS servers (they boot one after another would be fairer on 2 cores; they boot together here)"
drover bootstrap --config "$WORK/drover.yaml" -o json > "$WORK/bootstrap.json"

results=()
for ip in $(python3 -c 'import json,sys; [print(h["ipv4"]) for h in json.load(open(sys.argv[1]))["hosts"]]' "$WORK/bootstrap.json"); do
  out=""
  for _ in $(seq 1 120); do
    if out=$(ssh -i "$WORK/key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o ConnectTimeout=10 -o LogLevel=ERROR "root@$ip" \
        'cloud-init status --wait >/dev/null 2>&1; test -f /var/lib/drover/status.json && echo "{\"agent\": $(cat /var/lib/drover/status.json), \"cloudinit\": $(cat /run/cloud-init/status.json)}"' 2>/dev/null) \
       && [ -n "$out" ]; then break; fi
    sleep 5
  done
  [ -n "$out" ] || die "$ip never reported (see drover server console-log)"
  results+=("$out")
done

printf '%s\n' "${results[@]}" > "$WORK/results.jsonl"
cp "$WORK/results.jsonl" "${RESULTS:-/tmp/drover-firstboot-results.jsonl}"
python3 - "$WORK/results.jsonl" <<'PY'
import json, statistics, sys
text, rows, at = open(sys.argv[1]).read(), [], 0
decoder = json.JSONDecoder()
while at < len(text):
    if text[at].isspace():
        at += 1
        continue
    row, at = decoder.raw_decode(text, at)
    rows.append(row)
agents, clouds = [], []
print("host            agent s  cloud-init s  stages (init-local / init / modules-config / modules-final)  datasource")
for r in rows:
    a = r["agent"]
    v1 = r["cloudinit"]["v1"]
    stages = []
    for name in ("init-local", "init", "modules-config", "modules-final"):
        st = v1.get(name) or {}
        if st.get("start") and st.get("finished"):
            stages.append(st["finished"] - st["start"])
    total = sum(stages)
    agents.append(a["agent_seconds"])
    clouds.append(total)
    detail = " / ".join("%.2f" % d for d in stages)
    print("%-15s %7.2f  %12.2f  (%s)  %s  agent status %s" % (a["hostname"], a["agent_seconds"], total, detail, v1.get("datasource"), a["status"]))
ma, mc = statistics.median(agents), statistics.median(clouds)
print("median: agent %.2f s, cloud-init %.2f s; ratio agent / cloud-init = %.2f" % (ma, mc, ma / mc))
PY

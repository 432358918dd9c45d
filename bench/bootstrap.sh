#!/usr/bin/env bash
# Bootstraps a 50-host fleet against a local cloud on 127.0.0.1 with realistic latency (20 ms per API call, server
# creation 3 s): Drover's parallel apply against the sequential baseline (same planner and applier, one host at a
# time), in the same process. Prints both wall times, the ratio and API calls per host besides action polling.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Drover.Bench -- bootstrap "$@"

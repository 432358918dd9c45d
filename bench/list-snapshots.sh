#!/usr/bin/env bash
# Lists 1,000 snapshots through the Drover client against a local cloud on 127.0.0.1 (50 per page), side by side
# with a raw-HTTP pager as the baseline. Prints requests, median times and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Drover.Bench -- list-snapshots "$@"

#!/usr/bin/env bash
# Installs R + forecast (Debian) if missing, then runs `cbi bench --model arima,ets`, which times R's auto.arima and
# ets beside the workbench's on the same series in the same run (artifacts/bench/arima-ets-vs-r.json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-r.sh
[ -f data/warehouse.duckdb ] || dotnet run --project lib/Cbi.Workbench.Cli -c Release -- warehouse
dotnet run --project lib/Cbi.Workbench.Cli -c Release -- bench --model arima,ets "$@"

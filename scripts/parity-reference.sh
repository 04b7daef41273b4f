#!/usr/bin/env bash
# Regenerates the R reference values of the ARIMA/ETS parity suite: installs R + forecast (Debian) if missing,
# exports the ZL closes the workbench fits on before 2020 through `cbi sql`, runs scripts/parity-reference.R.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-r.sh
out=tests/Cbi.Workbench.Tests/Models/Parity
mkdir -p "$out"
[ -f data/warehouse.duckdb ] || dotnet run --project lib/Cbi.Workbench.Cli -c Release -- warehouse
zl=$(mktemp)
trap 'rm -f "$zl"' EXIT
dotnet run --project lib/Cbi.Workbench.Cli -c Release -- sql \
  "SELECT close FROM zl_daily WHERE date BETWEEN '2003-12-29' AND '2019-12-30' AND close IS NOT NULL ORDER BY date" > "$zl"
Rscript scripts/parity-reference.R "$out" "$zl"
echo "reference values written to $out"

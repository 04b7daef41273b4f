#!/usr/bin/env bash
# Installs R and the `forecast` package from Debian (bookworm: r-cran-forecast 8.20-1), the reference
# implementation the ARIMA/ETS parity suite and `cbi bench` compare against. Tests never need R at run time:
# the reference values are written into tests/Cbi.Workbench.Tests/Models/Parity/ with the R call that made them.
set -euo pipefail
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'suppressMessages(library(forecast))' >/dev/null 2>&1; then
  echo "R $(Rscript -e 'cat(R.version.string)') with forecast $(Rscript -e 'cat(as.character(packageVersion("forecast")))') already present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends r-base-core r-cran-forecast
Rscript -e 'cat(R.version.string, "forecast", as.character(packageVersion("forecast")), "\n")'

#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are missing (sourced by tests/run and scripts/main-job, so a
# fresh machine gets the same tools for the main job and the tests). Each argument is "package:check", where check is
# a shell test that succeeds when the package is already there. Prints what it installs; exits 1 naming what failed.
ensure_debian_packages() {
  local missing=() spec pkg check
  for spec in "$@"; do
    pkg="${spec%%:*}"; check="${spec#*:}"
    eval "$check" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (Debian)" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  if ! ($sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1; then
    echo "apt-get install ${missing[*]} failed" >&2
    return 1
  fi
}

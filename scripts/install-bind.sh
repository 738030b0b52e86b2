#!/usr/bin/env bash
# Installs BIND 9 for the DNS tests (test/dns/bind.test.ts starts its own named on 127.0.0.1) from
# Debian's packages bind9 and dnsutils, and shellcheck for the pipeline tests (test/pipeline/
# shellcheck.test.ts), when any of their programs is missing. `npm test`
# (scripts/test.mjs) and .ci/run call it first, as they do scripts/install-powershell.sh.
#   - everything present: prints "BIND=ok" and exits 0 (a few milliseconds);
#   - missing, and this user can install (root, or sudo without a password) with apt-get: installs
#     them, keeping the package's own named service from starting (it would listen on every
#     interface; policy-rc.d is honoured by invoke-rc.d and deb-systemd-invoke, Debian's
#     init-system-helpers), then checks again;
#   - otherwise: prints the one command that fixes it and exits 2.
#   --dry-run  prints the commands it would run instead of running them.
# Looks for the programs where the tests do (test/support/bind.ts: PATH, /usr/sbin, /usr/bin, /sbin);
# INSTALL_BIND_SYSTEM_DIRS replaces the last three (tests use it to hide an installed BIND).
set -euo pipefail

dry_run=""
[ "${1:-}" = "--dry-run" ] && dry_run=1
tools="named named-checkconf named-checkzone tsig-keygen nsupdate dig shellcheck"
system_dirs="${INSTALL_BIND_SYSTEM_DIRS-/usr/sbin /usr/bin /sbin}"
fix="sudo apt-get update && sudo apt-get install -y --no-install-recommends bind9 dnsutils shellcheck"

missing_tools() {
  local tool dir found out=""
  for tool in $tools; do
    found=""
    IFS=: read -r -a path_dirs <<<"${PATH:-}"
    for dir in "${path_dirs[@]}" $system_dirs; do
      [ -n "$dir" ] && [ -x "$dir/$tool" ] && { found=1; break; }
    done
    [ -n "$found" ] || out="$out $tool"
  done
  echo "${out# }"
}

missing="$(missing_tools)"
if [ -z "$missing" ]; then
  echo "BIND=ok"
  exit 0
fi

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then as_root="sudo"; else as_root="none"; fi
fi
if [ "$as_root" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-bind: BIND 9 or shellcheck is missing (${missing}), which the DNS and pipeline tests need, and this user cannot install it. Run: ${fix}" >&2
  exit 2
fi

# fd 4: the script's stdout, where --dry-run lists the commands even where their output goes to stderr.
exec 4>&1
run() {
  if [ -n "$dry_run" ]; then echo "would run: $*" >&4; else "$@"; fi
}
echo "install-bind: installing BIND 9 (missing: ${missing}) from Debian: bind9 dnsutils shellcheck" >&2
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  run $as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
  created_policy=1
fi
status=0
{ run $as_root apt-get update -qq >&2 && run $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bind9 dnsutils shellcheck >&2; } || status=$?
[ -z "$created_policy" ] || run $as_root rm -f /usr/sbin/policy-rc.d
if [ -n "$dry_run" ]; then exit 0; fi
missing="$(missing_tools)"
if [ "$status" -ne 0 ] || [ -n "$missing" ]; then
  echo "install-bind: installing bind9, dnsutils and shellcheck failed (still missing: ${missing:-none}; apt-get exit ${status}). Run: ${fix}" >&2
  exit 2
fi
echo "BIND=ok"

#!/usr/bin/env bash
# Install OpenLink Virtuoso 7.2 (Debian's virtuoso-opensource) for tests/remote, if missing.
# Idempotent: does nothing when virtuoso-t and isql-vt are already on PATH. Non-interactive:
# the package's debconf questions (dba password) are preseeded; the tests start their own
# throwaway server, so the packaged system service is stopped and disabled again.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    echo "virtuoso.sh: $(virtuoso-t -? 2>&1 | grep -m1 -i version || echo virtuoso-t) already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "virtuoso.sh: no apt-get here; install virtuoso-opensource by hand" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
# The package asks for the dba password; any value will do, the tests make their own database.
for q in virtuoso-opensource-7/dba-password virtuoso-opensource-7/dba-password-again; do
    echo "virtuoso-opensource-7 $q password dba" | debconf-set-selections 2>/dev/null || true
done
# Do not let the maintainer scripts start the system service inside a container.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    virtuoso-opensource >/dev/null

# Debian installs the binaries under /usr/bin (virtuoso-t, isql-vt); check they are there.
command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null
# If a system service got started anyway, stop it: it would hold ports 1111/8890.
if command -v service >/dev/null 2>&1; then
    service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi
echo "virtuoso.sh: installed virtuoso-opensource in $(( $(date +%s) - start )) s"

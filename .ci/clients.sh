#!/usr/bin/env bash
# Real third-party SPARQL clients for tests/clients: Apache Jena's rsparql (Debian's 4.5) and
# Comunica 5 (npm, pinned by .ci/comunica/package-lock.json; undici held below 8 for Node 20).
set -euo pipefail
cd "$(dirname "$0")"
if command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends default-jre-headless libapache-jena-java >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
    (cd comunica && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/pytest/test_dashboards.py): from the
# distribution's package registry, never a browser downloaded by a test tool at run time.
set -euo pipefail
if command -v chromium >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
chromium --version

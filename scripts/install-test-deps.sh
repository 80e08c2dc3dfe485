#!/usr/bin/env bash
# What the browser tests need beyond Python packages: Debian's Chromium (driven
# by Playwright from PyPI; no browser is downloaded). Skipped when present.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium is not installed and we are not root; browser tests will be skipped" >&2
  fi
fi

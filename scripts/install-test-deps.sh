#!/usr/bin/env bash
# What the browser tests need beyond Python packages: Debian's Chromium (driven
# by Playwright from PyPI; no browser is downloaded) and axe-core from npm (the
# accessibility check, MPL-2.0; tests load $(npm root -g)/axe-core/axe.min.js).
# Each is skipped when present.
set -euo pipefail
# Only what is missing: Debian's npm cannot be installed beside a Node.js from elsewhere (apt refuses
# both packages then, and Chromium would be left out with it).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: chromium or npm is not installed and we are not root; browser tests will be skipped" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -f "$(npm root -g)/axe-core/axe.min.js" ]; then
  if [ -w "$(npm root -g)" ] || [ "$(id -u)" = 0 ]; then
    npm install -g --no-audit --no-fund --loglevel=error 'axe-core@4' >/dev/null
  else
    echo "warning: cannot install axe-core globally; the accessibility test will be skipped" >&2
  fi
fi

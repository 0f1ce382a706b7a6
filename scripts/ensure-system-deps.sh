#!/usr/bin/env bash
# Installs the system packages the tests and sample generator need when missing:
# espeak-ng and sox (test speech), ffmpeg (test audio formats), postgresql (database tests),
# chromium (the browser test drives the system Chromium; Playwright never downloads one).
set -euo pipefail
missing=()
for tool in espeak-ng sox ffmpeg; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]} (install them, e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs what reckon needs from Debian's packages, only the ones that are missing.
#   scripts/install-deps.sh          build + run: PostgreSQL server, libpq, libxml2, libcurl
#   scripts/install-deps.sh --test   also what the tests use: xmllint, headless Chromium, aiosmtpd (SMTP server)
# Each package is paired with a file it installs; a package whose file exists is left alone,
# so a server already installed (and maybe running clusters) is never upgraded by this script.
set -euo pipefail
pairs=(
  "postgresql=/usr/lib/postgresql/*/bin/initdb"
  "libpq-dev=/usr/include/postgresql/libpq-fe.h"
  "libxml2-dev=/usr/include/libxml2/libxml/xmlwriter.h"
  "libxml2-utils=/usr/bin/xmllint"
  "python3=/usr/bin/python3"
  "libcurl4-openssl-dev=/usr/include/x86_64-linux-gnu/curl/curl.h"
)
if [ "${1:-}" = "--test" ]; then
  pairs+=(
    "chromium=/usr/bin/chromium"
    "fonts-dejavu-core=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    "python3-aiosmtpd=/usr/lib/python3/dist-packages/aiosmtpd"
    "openssl=/usr/bin/openssl"
  )
fi
missing=()
for pair in "${pairs[@]}"; do
  package="${pair%%=*}"
  pattern="${pair#*=}"
  # The pattern may hold a glob (the server's major version): any match counts.
  found=0
  for path in $pattern; do
    [ -e "$path" ] && found=1
  done
  [ "$found" = 1 ] || missing+=("$package")
done
[ "${#missing[@]}" = 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

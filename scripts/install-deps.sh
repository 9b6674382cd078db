#!/usr/bin/env bash
# Installs what reckon needs from Debian's packages, only when something is missing.
#   scripts/install-deps.sh          build + run: PostgreSQL server, libpq, libxml2, libcurl
#   scripts/install-deps.sh --test   also what the tests use: xmllint, headless Chromium, aiosmtpd (SMTP server)
set -euo pipefail
packages=(postgresql libpq-dev libxml2-dev libxml2-utils python3 libcurl4-openssl-dev)
commands=(/usr/lib/postgresql/*/bin/initdb /usr/include/postgresql/libpq-fe.h /usr/include/libxml2/libxml/xmlwriter.h /usr/bin/xmllint /usr/bin/python3 /usr/include/x86_64-linux-gnu/curl/curl.h)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium fonts-dejavu-core python3-aiosmtpd openssl)
  commands+=(/usr/bin/chromium /usr/lib/python3/dist-packages/aiosmtpd /usr/bin/openssl)
fi
missing=0
for path in "${commands[@]}"; do
  [ -e "$path" ] || missing=1
done
[ "$missing" = 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to apt-get install ${packages[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

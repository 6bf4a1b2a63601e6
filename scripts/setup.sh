#!/usr/bin/env bash
# Installs what Vigil needs to build, test and demo on Debian, and only what is missing.
set -euo pipefail

need_packages=()
[ -f /usr/include/mosquitto.h ] || need_packages+=(libmosquitto-dev)
[ -f /usr/include/sqlite3.h ] || need_packages+=(libsqlite3-dev)
[ -f /usr/include/openssl/ssl.h ] || need_packages+=(libssl-dev)
[ -x /usr/sbin/mosquitto ] || need_packages+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need_packages+=(mosquitto-clients)
command -v sqlite3 >/dev/null 2>&1 || need_packages+=(sqlite3)
command -v pkg-config >/dev/null 2>&1 || need_packages+=(pkg-config)
command -v openssl >/dev/null 2>&1 || need_packages+=(openssl)
command -v python3 >/dev/null 2>&1 || need_packages+=(python3 python3-jsonschema python3-yaml)
command -v systemd-analyze >/dev/null 2>&1 || need_packages+=(systemd)

if [ ${#need_packages[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${need_packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

# The schema checks of the tests use Python's jsonschema and PyYAML.
if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
    echo "setup: installing the Python packages jsonschema and PyYAML"
    python3 -m pip install --quiet jsonschema pyyaml 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages jsonschema pyyaml 2>/dev/null \
        || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
             DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-jsonschema python3-yaml >/dev/null; }
    python3 -c 'import jsonschema, yaml'
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: no Swift toolchain on PATH; install Swift 6.1 or later from swift.org" >&2
    exit 1
fi

#!/usr/bin/env bash
# Check that the Debian packages needed to build and test RTCR are installed.
# As root, install the missing ones; otherwise print the command to run.
set -euo pipefail

packages=(
    gcc-arm-none-eabi
    binutils-arm-none-eabi
    libnewlib-arm-none-eabi
    qemu-system-arm
    gdb-multiarch
    python3-pytest
    python3-pexpect
    libcmocka-dev
    make
    gcc
)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script expects Debian 12" >&2
    exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages installed"
    exit 0
fi

echo "install-deps: missing packages: ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: not root; install them with:" >&2
    echo "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

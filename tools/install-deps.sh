#!/usr/bin/env bash
# Check that the Debian packages needed to build and test RTCR are installed,
# and that apt can fetch Debian's lwIP source (the net task's TCP/IP stack,
# downloaded at build time by tools/fetch-lwip.sh). As root, install what is
# missing; otherwise print the commands to run.
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
    xz-utils
)

# lwIP comes from the source packages of Debian 12 (bookworm), main; if no
# deb-src entry covers them, this file is added to apt's sources (normally
# /etc/apt/sources.list.d).
codename=bookworm
eval "$(apt-config shell src_dir Dir::Etc::sourceparts/d)"
src_list=${src_dir:-/etc/apt/sources.list.d/}rtcr-deb-src.sources

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

# Whether any deb-src entry (in any file, one-line or deb822 format) covers
# bookworm main: apt lists the index targets its configuration names.
deb_src_configured() {
    apt-get indextargets --no-release-info --format '$(RELEASE) $(COMPONENT)' \
        'Identifier: Sources' 2>/dev/null | grep -qx "$codename main"
}

# Whether apt knows the lwip source package (its lists were fetched).
lwip_source_known() {
    apt-cache showsrc lwip 2>/dev/null | grep -qx 'Package: lwip'
}

need_src_entry=no
need_update=no
if ! deb_src_configured; then
    need_src_entry=yes
    need_update=yes
elif ! lwip_source_known; then
    need_update=yes
fi
if [ "${#missing[@]}" -gt 0 ]; then
    need_update=yes
fi

if [ "$need_update" = no ]; then
    echo "install-deps: all ${#packages[@]} packages installed, lwIP's source package available"
    exit 0
fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}"
fi
if [ "$need_src_entry" = yes ]; then
    echo "install-deps: no deb-src entry for $codename main (for lwIP's source)"
elif ! lwip_source_known; then
    echo "install-deps: apt's lists do not have the lwip source package yet"
fi

src_entry() {
    cat <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: not root; run it as root (sudo bash $0), or run:" >&2
    if [ "$need_src_entry" = yes ]; then
        echo "sudo tee $src_list <<'EOF'" >&2
        src_entry >&2
        echo "EOF" >&2
    fi
    echo "sudo apt-get update" >&2
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    fi
    exit 1
fi

if [ "$need_src_entry" = yes ]; then
    echo "install-deps: adding $src_list"
    {
        echo "# Added by RTCR's tools/install-deps.sh: Debian's source packages,"
        echo "# for lwIP (tools/fetch-lwip.sh runs apt-get source lwip)."
        src_entry
    } >"$src_list"
fi
apt-get update
if [ "${#missing[@]}" -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
if ! lwip_source_known; then
    echo "install-deps: apt still does not know the lwip source package" >&2
    exit 1
fi
echo "install-deps: done"

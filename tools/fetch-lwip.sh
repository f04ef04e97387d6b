#!/bin/sh
# Fetch lwIP's source from Debian and unpack it (called by the Makefile).
#
#   sh tools/fetch-lwip.sh DIR
#
# The net task (user/net) is built with lwIP, a third-party TCP/IP stack that
# is never committed to this repository: it comes from Debian 12's source
# package `lwip` (2.1.3+dfsg1), downloaded with apt into DIR and unpacked to
# DIR/lwip-2.1.3. apt checks the download against the signed Release file of
# the archive, so what is built is exactly what Debian ships. Only the
# upstream tarball (.orig.tar.xz) is unpacked, with tar: Debian's own patches
# concern the sockets API, the tcpip thread, PPP and a GNU Hurd port, none of
# which the net task builds (it uses lwIP's raw API without an OS layer).
#
# Needs no root, but a deb-src entry for bookworm main in apt's sources and
# their lists fetched: tools/install-deps.sh sets that up (as root).
set -eu

dir=${1:?usage: fetch-lwip.sh DIR}
upstream=2.1.3
orig=lwip_${upstream}+dfsg1.orig.tar.xz

mkdir -p "$dir"
cd "$dir"

if [ ! -f "$orig" ]; then
    # apt-get source downloads into the current directory; --download-only
    # leaves the unpacking to us (no dpkg-dev needed).
    if ! apt-get source --download-only lwip >apt-source.log 2>&1 || [ ! -f "$orig" ]; then
        cat apt-source.log >&2
        echo "fetch-lwip: could not download Debian's lwip source package ($orig)." >&2
        echo "fetch-lwip: apt needs a deb-src entry for bookworm main and its lists; as root run" >&2
        echo "    bash tools/install-deps.sh" >&2
        echo "fetch-lwip: (it adds /etc/apt/sources.list.d/rtcr-deb-src.sources if needed and" >&2
        echo "fetch-lwip: runs apt-get update), then run make again." >&2
        exit 1
    fi
fi

rm -rf "lwip-$upstream" lwip.unpack
mkdir lwip.unpack
tar -xJf "$orig" -C lwip.unpack
if [ ! -f "lwip.unpack/lwip-$upstream/src/include/lwip/init.h" ]; then
    echo "fetch-lwip: $orig does not hold lwip-$upstream/src as expected" >&2
    exit 1
fi
mv "lwip.unpack/lwip-$upstream" .
rm -rf lwip.unpack
echo "fetch-lwip: lwIP $upstream from Debian unpacked in $dir/lwip-$upstream"

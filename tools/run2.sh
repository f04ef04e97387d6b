#!/usr/bin/env bash
# `make run2`: boards A and B in two QEMU processes.
#
#   Ethernet (vexpress-a9, vexpress-a15): the boards' LAN9118s are joined by
#   QEMU dgram netdevs (UDP on 127.0.0.1); A is 52:54:00:00:00:01
#   (10.0.0.1), B is 52:54:00:00:00:02 (10.0.0.2).
#   CAN (virt, with CAN=<host interface>, e.g. CAN=vcan0): each board has one
#   kvaser_pci on a QEMU CAN bus bridged to the host's SocketCAN interface;
#   A's controller is in PCI slot 1 (CAN node 1), B's in slot 2 (node 2).
#
# A's serial console is this terminal (Ctrl-A X quits, and B goes too); B's
# is served on TCP port B_PORT: `python3 tools/serial-console.py 5556` or
# `make console-b` in another terminal.
#
# The Makefile passes QEMU, QEMU_ARGS (the board's arguments without a
# network), IMAGE, BOARD and CAN.
set -euo pipefail

B_PORT=${B_PORT:-5556}
NET_PORT=${NET_PORT:-5601}

if [ -n "${CAN:-}" ]; then
    if [ "$BOARD" != virt ]; then
        echo "run2: CAN needs BOARD=virt (the vexpress boards have no PCI)" >&2
        exit 1
    fi
    if ! ip link show "$CAN" >/dev/null 2>&1; then
        echo "run2: no host interface '$CAN'; on a Linux host with vcan:" >&2
        echo "  sudo modprobe vcan && sudo ip link add dev $CAN type vcan && sudo ip link set up $CAN" >&2
        exit 1
    fi
    net() {   # $1: PCI slot = CAN node
        echo "-object can-bus,id=canbus0 -object can-host-socketcan,id=canhost0,if=$CAN,canbus=canbus0" \
             "-device kvaser_pci,canbus=canbus0,addr=$1"
    }
    net_a=$(net 1)
    net_b=$(net 2)
    link="CAN through $CAN (untested on the machine this was written on: it has no vcan)"
else
    if [ "$BOARD" = virt ]; then
        echo "run2: virt has no LAN9118; use a vexpress board, or CAN=<interface> for CAN" >&2
        exit 1
    fi
    # Datagram sockets: each board sends its frames to the other's port. No
    # start order, and no TCP stream between them to add delay.
    net() {   # $1: own port, $2: the other's port, $3: MAC
        echo "-netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$1,remote.type=inet,remote.host=127.0.0.1,remote.port=$2" \
             "-net nic,netdev=n0,model=lan9118,macaddr=$3"
    }
    net_a=$(net "$NET_PORT" $((NET_PORT + 1)) 52:54:00:00:00:01)
    net_b=$(net $((NET_PORT + 1)) "$NET_PORT" 52:54:00:00:00:02)
    link="Ethernet (QEMU dgram netdevs on ports $NET_PORT and $((NET_PORT + 1)))"
fi

# B first, so that its console is there when A's starts.
# shellcheck disable=SC2086
$QEMU $QEMU_ARGS $net_b -serial tcp:127.0.0.1:$B_PORT,server=on,wait=off -monitor none \
    -kernel "$IMAGE" &
b_pid=$!
trap 'kill $b_pid 2>/dev/null || true' EXIT
sleep 1
if ! kill -0 $b_pid 2>/dev/null; then
    echo "run2: board B did not start" >&2
    exit 1
fi
echo "Board B runs; its console: python3 tools/serial-console.py $B_PORT (or make console-b)"
echo "Board A on this terminal; Ctrl-A X quits both. Link: $link"
# shellcheck disable=SC2086
$QEMU $QEMU_ARGS $net_a -serial mon:stdio -kernel "$IMAGE"

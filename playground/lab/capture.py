"""Record every frame that crosses one of the lab's switches, as a pcap file.

Run by `python -m playground lab capture NETWORK` inside the lab's switch
namespace, where each network is a Linux bridge: a packet socket on the
bridge, in promiscuous mode, sees every frame the bridge forwards.  The
frames go to the pcap file and, unless --no-stdout, to stdout for tcpdump to
decode.  (tcpdump cannot capture in here itself: as root it switches to its
own user, and a user namespace has no such user.)  Standard library only.
"""
import argparse
import os
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
SNAPLEN = 65535
LINKTYPE_ETHERNET = 1


def open_socket(interface):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    membership = struct.pack('iHH8s', socket.if_nametoindex(interface), PACKET_MR_PROMISC, 0, b'')
    sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, membership)
    return sock


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('network')
    parser.add_argument('file')
    parser.add_argument('--count', type=int, default=0)
    parser.add_argument('--no-stdout', action='store_true')
    parser.add_argument('--label', help='the file as the user named it')
    args = parser.parse_args()
    try:
        sock = open_socket(args.network)
    except OSError as exc:
        sys.exit(f'lab: cannot capture on {args.network}: {exc.strerror or exc}')
    outputs = [open(args.file, 'wb')] + ([] if args.no_stdout else [sys.stdout.buffer])
    header = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET)
    for out in outputs:
        out.write(header)
        out.flush()
    label = args.label or args.file
    print(f'Recording {args.network} into {label}; Ctrl-C to stop.', file=sys.stderr,
          flush=True)
    signal.signal(signal.SIGTERM, stop)
    seen = 0
    try:
        while not args.count or seen < args.count:
            frame = sock.recv(SNAPLEN)
            now = time.time()
            record = struct.pack('<IIII', int(now), int(now % 1 * 1e6), len(frame), len(frame))
            for out in outputs:
                out.write(record + frame)
                out.flush()
            seen += 1
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # the decoder has gone: keep stdout's last flush quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        sock.close()
        outputs[0].close()
    print(f'{seen} packets recorded in {label}', file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_poll.py
# An event-driven server: one thread, non-blocking sockets, and poll() to wait on all of them.
# Exercise solution: hang up on a client from which nothing has come for IDLE seconds.

import select, time

import lancelot

IDLE = 2.0  # seconds of silence after which a client is hung up on


def serve(listen_sock):
    """Accept clients, read their questions and write the answers, as the sockets allow."""
    sockets = {listen_sock.fileno(): listen_sock}
    bytes_received = {}  # socket -> the question so far
    bytes_to_send = {}   # socket -> the part of the answer not sent yet
    deadlines = {}       # socket -> when to hang up on it, unless it says something first
    addresses = {}       # socket -> the client's address, to say whom we hang up on
    poll = select.poll()
    poll.register(listen_sock, select.POLLIN)

    def close(sock):
        poll.unregister(sock)
        del sockets[sock.fileno()]
        bytes_received.pop(sock, None)
        bytes_to_send.pop(sock, None)
        deadlines.pop(sock, None)
        addresses.pop(sock, None)
        sock.close()

    while True:
        # Wait for a socket, but no longer than until the first deadline.
        timeout = None
        if deadlines:
            timeout = max(0, min(deadlines.values()) - time.monotonic()) * 1000  # in ms
        for fd, event in poll.poll(timeout):
            sock = sockets[fd]
            if sock is listen_sock:  # a new client
                try:
                    sock, address = listen_sock.accept()
                except OSError:
                    continue  # it hung up before we got to it
                sock.setblocking(False)
                sockets[sock.fileno()] = sock
                bytes_received[sock] = b''
                deadlines[sock] = time.monotonic() + IDLE
                addresses[sock] = address
                poll.register(sock, select.POLLIN)
            elif event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                close(sock)
            elif event & select.POLLIN:  # more of a question, or b'' at end of file
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b''
                bytes_received[sock] += data
                deadlines[sock] = time.monotonic() + IDLE  # it spoke: its clock starts again
                if not data or len(bytes_received[sock]) > lancelot.MAX_MESSAGE:
                    close(sock)
                elif data.endswith(b'?'):
                    bytes_to_send[sock] = lancelot.qadict[bytes_received[sock]]
                    bytes_received[sock] = b''
                    poll.modify(sock, select.POLLOUT)
            elif event & select.POLLOUT:  # room to send more of the answer
                try:
                    sent = sock.send(bytes_to_send[sock])
                except OSError:
                    close(sock)
                    continue
                bytes_to_send[sock] = bytes_to_send[sock][sent:]
                if not bytes_to_send[sock]:
                    del bytes_to_send[sock]
                    poll.modify(sock, select.POLLIN)
        now = time.monotonic()
        for sock, deadline in list(deadlines.items()):  # (close() changes the dictionary)
            if deadline <= now:
                print('Hung up on', addresses[sock], f'after {IDLE:g} seconds of silence',
                      flush=True)
                close(sock)


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients from a poll() loop, and '
                                         f'hang up on those silent for {IDLE:g} seconds.')
    listen_sock = lancelot.setup(parser.parse_args())
    listen_sock.setblocking(False)
    try:
        serve(listen_sock)
    except KeyboardInterrupt:
        pass

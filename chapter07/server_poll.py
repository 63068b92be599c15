#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_poll.py
# An event-driven server: one thread, non-blocking sockets, and select.poll() to wait on all of them.

import select

import lancelot


def serve(listen_sock):
    """Run the event loop forever: accept, read questions, write answers as sockets allow."""
    sockets = {listen_sock.fileno(): listen_sock}
    received = {}   # socket -> bytes of the question so far
    to_send = {}    # socket -> bytes of the answer not yet sent
    poller = select.poll()
    poller.register(listen_sock, select.POLLIN)

    def close(sock):
        poller.unregister(sock)
        del sockets[sock.fileno()]
        received.pop(sock, None)
        to_send.pop(sock, None)
        sock.close()

    while True:
        for fd, event in poller.poll():
            sock = sockets[fd]
            if sock is listen_sock:
                try:
                    new_sock, sockname = listen_sock.accept()
                except OSError:
                    continue  # the client gave up before we got to it
                new_sock.setblocking(False)
                sockets[new_sock.fileno()] = new_sock
                received[new_sock] = b''
                poller.register(new_sock, select.POLLIN)
            elif event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                close(sock)
            elif event & select.POLLIN:
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b''
                if not data:  # end of file: the client is done
                    close(sock)
                    continue
                received[sock] += data
                if len(received[sock]) > lancelot.MAX_MESSAGE:
                    close(sock)
                elif received[sock].endswith(b'?'):
                    to_send[sock] = lancelot.answer_to(received[sock])
                    received[sock] = b''
                    poller.modify(sock, select.POLLOUT)
            elif event & select.POLLOUT:
                try:
                    sent = sock.send(to_send[sock])
                except OSError:
                    close(sock)
                    continue
                to_send[sock] = to_send[sock][sent:]
                if not to_send[sock]:
                    del to_send[sock]
                    poller.modify(sock, select.POLLIN)


if __name__ == '__main__':
    args = lancelot.argument_parser('Serve Launcelot clients from a poll() loop.').parse_args()
    listen_sock = lancelot.setup(args)
    listen_sock.setblocking(False)
    try:
        serve(listen_sock)
    except KeyboardInterrupt:
        pass

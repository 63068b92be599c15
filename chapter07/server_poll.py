#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_poll.py
# An event-driven server: one thread, non-blocking sockets, and poll() to wait on all of them.

import select

import lancelot


def serve(listen_sock):
    """Accept clients, read their questions and write the answers, as the sockets allow."""
    sockets = {listen_sock.fileno(): listen_sock}
    bytes_received = {}  # socket -> the question so far
    bytes_to_send = {}   # socket -> the part of the answer not sent yet
    poll = select.poll()
    poll.register(listen_sock, select.POLLIN)

    def close(sock):
        poll.unregister(sock)
        del sockets[sock.fileno()]
        bytes_received.pop(sock, None)
        bytes_to_send.pop(sock, None)
        sock.close()

    while True:
        for fd, event in poll.poll():
            sock = sockets[fd]
            if sock is listen_sock:  # a new client
                try:
                    sock, address = listen_sock.accept()
                except OSError:
                    continue  # it hung up before we got to it
                sock.setblocking(False)
                sockets[sock.fileno()] = sock
                bytes_received[sock] = b''
                poll.register(sock, select.POLLIN)
            elif event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                close(sock)
            elif event & select.POLLIN:  # more of a question, or b'' at end of file
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b''
                bytes_received[sock] += data
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


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients from a poll() loop.')
    listen_sock = lancelot.setup(parser.parse_args())
    listen_sock.setblocking(False)
    try:
        serve(listen_sock)
    except KeyboardInterrupt:
        pass

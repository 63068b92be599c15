#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_async.py
# The event loop of server_poll.py, written for us: asyncio calls our protocol as sockets get ready.

import asyncio

import lancelot


class LancelotProtocol(asyncio.BufferedProtocol):
    """One instance per client; the event loop calls its methods as events happen.

    A BufferedProtocol rather than a Protocol: asyncio reads into our buffer
    instead of making a new 256 KiB bytes object for every read, which costs
    three extra system calls per question on Linux."""

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = memoryview(bytearray(4096))
        self.question = b''

    def get_buffer(self, sizehint):  # where should asyncio put the bytes that arrived?
        return self.buffer

    def buffer_updated(self, nbytes):  # they are in; what do we make of them?
        self.question += self.buffer[:nbytes]
        if self.question.endswith(b'?'):
            self.transport.write(lancelot.qadict[self.question])
            self.question = b''
        elif len(self.question) > lancelot.MAX_MESSAGE:
            self.transport.close()


async def serve(listen_sock):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(LancelotProtocol, sock=listen_sock)
    await server.serve_forever()


if __name__ == '__main__':
    parser = lancelot.parse_command_line('Serve Launcelot clients with asyncio.')
    listen_sock = lancelot.setup(parser.parse_args())
    try:
        asyncio.run(serve(listen_sock))
    except KeyboardInterrupt:
        pass

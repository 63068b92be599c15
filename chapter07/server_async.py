#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_async.py
# The event loop of server_poll.py, written for us: asyncio calls our protocol as sockets get ready.

import asyncio

import lancelot


class LancelotProtocol(asyncio.BufferedProtocol):
    """One instance per client. A BufferedProtocol, not a Protocol, so that asyncio
    reads into our small buffer instead of making a new 256 KiB object per read."""

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = bytearray(lancelot.MAX_MESSAGE)
        self.length = 0  # how much of the buffer holds the question so far

    def get_buffer(self, sizehint):  # where should the next bytes go?
        return memoryview(self.buffer)[self.length:]

    def buffer_updated(self, nbytes):  # nbytes more of the question arrived
        self.length += nbytes
        if self.buffer[self.length - 1] == ord('?'):
            question = bytes(self.buffer[:self.length])
            self.transport.write(lancelot.qadict[question])
            self.length = 0
        elif self.length == len(self.buffer):
            self.transport.close()  # a "question" too long for the buffer: garbage


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

#!/usr/bin/env python3
# Foundations of Python Network Programming, 2nd ed. - Chapter 7 - server_async.py
# The event loop of server_poll.py, written for us: asyncio runs one coroutine per client.

import asyncio

import lancelot


async def handle_conversation(reader, writer):
    """Answer one client; each 'await' lets the loop serve the others meanwhile."""
    try:
        while True:
            question = await reader.readuntil(b'?')
            writer.write(lancelot.answer_to(question))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass  # the client hung up, or sent a "question" that never ends
    finally:
        writer.close()


async def main(listen_sock):
    server = await asyncio.start_server(handle_conversation, sock=listen_sock,
                                        limit=lancelot.MAX_MESSAGE)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    args = lancelot.argument_parser('Serve Launcelot clients with asyncio.').parse_args()
    listen_sock = lancelot.setup(args)
    try:
        asyncio.run(main(listen_sock))
    except KeyboardInterrupt:
        pass

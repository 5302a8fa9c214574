#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by DELAY_MS in both directions: latency for the fault
tests, since this kernel has no tc netem. Usage: delay_proxy.py LISTEN_HOST LISTEN_PORT
TARGET_HOST TARGET_PORT DELAY_MS. Runs until killed."""
import asyncio
import sys


async def pipe(reader, writer, delay):
    """Each chunk leaves DELAY_MS after it arrived, whatever came before it: latency, not a
    bandwidth limit (delaying chunk after chunk added 200 ms per chunk of a longer answer)."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.ensure_future(send())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
        queue.put_nowait((loop.time() + delay, None))
        await sender
    except (ConnectionError, asyncio.CancelledError):
        sender.cancel()
    finally:
        writer.close()


async def main():
    lhost, lport, thost, tport, delay_ms = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    delay = delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(thost, tport)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, delay), pipe(server_reader, client_writer, delay))

    server = await asyncio.start_server(handle, lhost, lport)
    async with server:
        await server.serve_forever()


asyncio.run(main())

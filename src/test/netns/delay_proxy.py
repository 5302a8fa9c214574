#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by DELAY_MS in both directions: latency for the fault
tests, since this kernel has no tc netem. Usage: delay_proxy.py LISTEN_HOST LISTEN_PORT
TARGET_HOST TARGET_PORT DELAY_MS. Runs until killed."""
import asyncio
import sys


async def pipe(reader, writer, delay):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
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

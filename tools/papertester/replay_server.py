"""A small Kraken WebSocket v2 replay server on 127.0.0.1 (for the TG4 paper tester's live loop, offline).

    python replay_server.py --tape TRADES.parquet --symbol BTC/USDT [--seconds-per-minute 0.1] [--max-seconds 180] --port-file F

Runs in the tester's virtual environment (python `websockets`). Accepts any client, reads its subscribe messages
(the tester sends three: trade, ticker, book), then pushes, from the stored trade tape (columns timestamp, price, volume,
side) at an accelerated pace (one minute of data every --seconds-per-minute seconds, in --steps-per-minute steps; the first
--warmup-minutes at once):
`trade` updates with the tape's own timestamps, a `ticker` with the last price and a `book` (a snapshot first and every
50 steps, updates in between that delete the old levels and add new ones around the last price). It stops by itself after
--max-seconds, and writes what it sent to --stats.
"""
import argparse, asyncio, json, signal, time
from pathlib import Path
import pandas as pd
import websockets

LEVELS, TICK_BPS = 10, 1.0          # book depth and spacing between levels (basis points)


def book_levels(price: float, spread_bps: float = 1.0):
    half = price*spread_bps/2e4
    bids = [{'price': round(price - half - i*price*TICK_BPS/1e4, 2), 'qty': round(0.5 + 0.1*i, 4)} for i in range(LEVELS)]
    asks = [{'price': round(price + half + i*price*TICK_BPS/1e4, 2), 'qty': round(0.5 + 0.1*i, 4)} for i in range(LEVELS)]
    return bids, asks


def iso(ts: pd.Timestamp) -> str:
    return ts.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


async def serve(a):
    tape = pd.read_parquet(a.tape) if a.tape.endswith('.parquet') else pd.read_csv(a.tape, parse_dates=['timestamp'])
    tape = tape.sort_values('timestamp', kind='stable').reset_index(drop=True)
    minute = tape['timestamp'].dt.floor('min')
    groups = list(tape.groupby(minute, sort=True))
    stats = {'connections': 0, 'subscribes': [], 'trade_msgs': 0, 'trades': 0, 'book_msgs': 0, 'ticker_msgs': 0,
             'minutes_sent': 0, 'minutes_in_tape': len(groups), 'first_trade': str(tape['timestamp'].iloc[0]), 'last_sent': None}
    stop_at = time.monotonic() + a.max_seconds
    def stop_now():                                   # SIGTERM/SIGINT: finish at once, still writing the stats
        nonlocal stop_at
        stop_at = time.monotonic()
    for sig in (signal.SIGTERM, signal.SIGINT): asyncio.get_running_loop().add_signal_handler(sig, stop_now)
    step_s = a.seconds_per_minute/a.steps_per_minute

    async def handler(ws):
        stats['connections'] += 1
        async def reader():
            async for raw in ws:
                try: msg = json.loads(raw)
                except ValueError: continue
                if msg.get('method') == 'subscribe':
                    stats['subscribes'].append(msg.get('params', {}).get('channel'))
                    await ws.send(json.dumps({'method': 'subscribe', 'success': True, 'result': msg.get('params', {}), 'req_id': msg.get('req_id')}))
        rtask = asyncio.create_task(reader())
        try:
            t0 = time.monotonic()
            while len(stats['subscribes']) < 3 and time.monotonic() - t0 < 5: await asyncio.sleep(0.01)
            last = float(tape['price'].iloc[0]); old_bids, old_asks = book_levels(last)
            await ws.send(json.dumps({'channel': 'book', 'type': 'snapshot', 'data': [{'symbol': a.symbol, 'bids': old_bids, 'asks': old_asks}]}))
            stats['book_msgs'] += 1
            step, next_t = 0, time.monotonic()
            start_index = stats['minutes_sent']            # a reconnecting client continues where the tape was
            for m, (bucket, trades) in enumerate(groups[start_index:]):
                secs = (trades['timestamp'] - bucket).dt.total_seconds().to_numpy()
                for k in range(a.steps_per_minute):
                    if time.monotonic() >= stop_at: return
                    part = trades[(secs >= 60*k/a.steps_per_minute) & (secs < 60*(k + 1)/a.steps_per_minute)]
                    if len(part):
                        data = [{'symbol': a.symbol, 'side': s, 'price': float(p), 'qty': float(q), 'ord_type': 'market', 'trade_id': 0,
                                 'timestamp': iso(t)} for t, p, q, s in zip(part['timestamp'], part['price'], part['volume'], part['side'])]
                        await ws.send(json.dumps({'channel': 'trade', 'type': 'update', 'data': data}))
                        stats['trade_msgs'] += 1; stats['trades'] += len(data); last = float(part['price'].iloc[-1])
                        stats['last_sent'] = data[-1]['timestamp']
                    bids, asks = book_levels(last)
                    if step % 50 == 0:
                        msg = {'channel': 'book', 'type': 'snapshot', 'data': [{'symbol': a.symbol, 'bids': bids, 'asks': asks}]}
                    else:
                        gone_b = [{'price': x['price'], 'qty': 0.0} for x in old_bids if x['price'] not in {y['price'] for y in bids}]
                        gone_a = [{'price': x['price'], 'qty': 0.0} for x in old_asks if x['price'] not in {y['price'] for y in asks}]
                        msg = {'channel': 'book', 'type': 'update', 'data': [{'symbol': a.symbol, 'bids': gone_b + bids, 'asks': gone_a + asks}]}
                    await ws.send(json.dumps(msg)); stats['book_msgs'] += 1; old_bids, old_asks = bids, asks
                    await ws.send(json.dumps({'channel': 'ticker', 'type': 'update', 'data': [{'symbol': a.symbol, 'last': last, 'bid': bids[0]['price'], 'ask': asks[0]['price']}]}))
                    stats['ticker_msgs'] += 1; step += 1
                    if start_index + m < a.warmup_minutes:          # warm-up burst: as fast as the client reads
                        await asyncio.sleep(0); next_t = time.monotonic(); continue
                    next_t += step_s
                    await asyncio.sleep(max(0.0, next_t - time.monotonic()))
                stats['minutes_sent'] = start_index + m + 1
            while time.monotonic() < stop_at:          # tape done: heartbeats until the end
                await ws.send(json.dumps({'channel': 'heartbeat'})); await asyncio.sleep(1.0)
        except websockets.ConnectionClosed:
            pass
        finally:
            rtask.cancel()

    async with websockets.serve(handler, '127.0.0.1', a.port) as server:
        port = server.sockets[0].getsockname()[1]
        Path(a.port_file).write_text(str(port))
        print(f"[replay_server] ws://127.0.0.1:{port}  {len(tape)} trades over {len(groups)} minutes, "
              f"first {a.warmup_minutes} at once, then {a.seconds_per_minute} s per minute, stopping after {a.max_seconds} s", flush=True)
        while time.monotonic() < stop_at: await asyncio.sleep(0.2)
    if a.stats: Path(a.stats).write_text(json.dumps(stats, indent=2))
    print(f"[replay_server] done: {json.dumps({k: v for k, v in stats.items() if k != 'subscribes'})}, subscribes {stats['subscribes']}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tape', required=True, help="trades (.parquet or .csv with timestamp, price, volume, side)")
    ap.add_argument('--symbol', default='BTC/USDT')
    ap.add_argument('--port', type=int, default=0, help="0: a free port (written to --port-file)")
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--seconds-per-minute', type=float, default=0.1)
    ap.add_argument('--steps-per-minute', type=int, default=4)
    ap.add_argument('--max-seconds', type=float, default=180)
    ap.add_argument('--warmup-minutes', type=int, default=0, help="send the tape's first N minutes at once (like the tester's candle prefill)")
    ap.add_argument('--stats', help="JSON file for what was sent")
    asyncio.run(serve(ap.parse_args()))


if __name__ == '__main__':
    main()

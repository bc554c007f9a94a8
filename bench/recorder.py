"""Throughput and memory of the recorder's pure part: parse + aggregate (`LiveAggregator`) + batched writes (`BatchWriter`) into a
throwaway Parquet store, on one core, for a realistic Kraken v2 message mix (trade messages ~70% with 1-3 trades each, ohlc updates of
the forming minute ~25%, heartbeats ~5%) over 3 symbols. Messages are generated in chunks outside the timed part. Prints figures only.

    python bench/recorder.py [--messages 1000000] [--chunk 20000] [--take-every 100] [--max-rows 5000] [--ms-per-message 15]
"""
import argparse, gc, json, os, random, resource, shutil, sys, tempfile, time
from datetime import datetime, timezone

SYMBOLS = {'BTC/USD': 60_000.0, 'XRP/USDT': 0.55, 'XRP/BTC': 0.0000092}


def rss_mb() -> float:
    "Resident memory now (psutil if present, else /proc)."
    try:
        import psutil
        return psutil.Process().memory_info().rss/2**20
    except ImportError:
        with open('/proc/self/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20


def stamp(us: int, nanos: bool = False) -> str:
    s = datetime.fromtimestamp(us//1_000_000, timezone.utc).strftime('%Y-%m-%dT%H:%M:%S')
    return f"{s}.{us % 1_000_000:06d}{'000' if nanos else ''}Z"


class Market:
    "A random-walk tape per symbol and the running 1-minute bar Kraken would stream for it."
    def __init__(self, seed: int, ms_per_message: float, start_us: int = 1_767_225_600_000_000):   # 2026-01-01 UTC
        self.rng, self.now, self.step = random.Random(seed), start_us, ms_per_message*1000
        self.price = dict(SYMBOLS); self.trade_id = dict.fromkeys(SYMBOLS, 0); self.bar = {}

    def _trades(self, symbol: str) -> list:
        out = []
        for _ in range(self.rng.choice((1, 1, 1, 2, 3))):
            p = self.price[symbol] = round(self.price[symbol]*(1 + self.rng.gauss(0, 2e-4)), 10)
            q = round(self.rng.expovariate(1.0)*(0.05 if symbol == 'BTC/USD' else 500), 8) or 1e-8
            self.trade_id[symbol] += 1
            out.append({'symbol': symbol, 'side': self.rng.choice(('buy', 'sell')), 'price': p, 'qty': q,
                        'ord_type': self.rng.choice(('limit', 'market')), 'trade_id': self.trade_id[symbol], 'timestamp': stamp(self.now)})
            begin = self.now - self.now % 60_000_000
            b = self.bar.get(symbol)
            if b is None or b['begin'] != begin: b = self.bar[symbol] = dict(begin=begin, open=p, high=p, low=p, close=p, volume=0.0, trades=0, pv=0.0)
            b['high'], b['low'], b['close'] = max(b['high'], p), min(b['low'], p), p
            b['volume'] += q; b['trades'] += 1; b['pv'] += p*q
        return out

    def _ohlc(self, symbol: str) -> dict:
        b = self.bar[symbol]
        return {'symbol': symbol, 'open': b['open'], 'high': b['high'], 'low': b['low'], 'close': b['close'], 'trades': b['trades'],
                'volume': round(b['volume'], 8), 'vwap': min(max(round(b['pv']/b['volume'], 10), b['low']), b['high']),
                'interval_begin': stamp(b['begin'], nanos=True), 'interval': 1, 'timestamp': stamp(b['begin'] + 60_000_000)}

    def messages(self, n: int) -> list:
        out, symbols = [], list(SYMBOLS)
        for _ in range(n):
            self.now += int(self.rng.expovariate(1/self.step)) + 1
            u, symbol = self.rng.random(), self.rng.choice(symbols)
            if u < 0.70: out.append(json.dumps({'channel': 'trade', 'type': 'update', 'data': self._trades(symbol)}))
            elif u < 0.95 and symbol in self.bar:
                out.append(json.dumps({'channel': 'ohlc', 'type': 'update', 'timestamp': stamp(self.now), 'data': [self._ohlc(symbol)]}))
            else: out.append('{"channel":"heartbeat"}')
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--messages', type=int, default=1_000_000)
    ap.add_argument('--chunk', type=int, default=20_000)
    ap.add_argument('--take-every', type=int, default=100, help='messages fed between two take() + add() (the recorder takes per received burst)')
    ap.add_argument('--max-rows', type=int, default=5000)
    ap.add_argument('--max-seconds', type=float, default=2.0)
    ap.add_argument('--ms-per-message', type=float, default=15.0, help='simulated market time between messages')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--no-store', action='store_true', help='parse + aggregate + take only (batches dropped): the aggregator alone')
    args = ap.parse_args()
    if hasattr(os, 'sched_setaffinity'): os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})   # one core
    import pyarrow as pa
    pa.set_cpu_count(1); pa.set_io_thread_count(1)
    from tg4_ml.data.kraken_ws import BatchWriter, LiveAggregator
    from tg4_ml.data.store import open_store

    root = tempfile.mkdtemp(prefix='tg4_bench_recorder_')
    try:
        store = open_store(os.path.join(root, 'store'))
        agg, writer, market = LiveAggregator(list(SYMBOLS)), BatchWriter(store, max_rows=args.max_rows, max_seconds=args.max_seconds), Market(args.seed, args.ms_per_message)
        feed_s = write_s = 0.0
        done, rss0, samples = 0, None, []
        while done < args.messages:
            chunk = market.messages(min(args.chunk, args.messages - done))
            for a in range(0, len(chunk), args.take_every):
                t0 = time.perf_counter()
                for m in chunk[a:a + args.take_every]: agg.feed(m)
                t1 = time.perf_counter()
                batch = agg.take()
                if not args.no_store: writer.add(batch)
                feed_s += t1 - t0; write_s += time.perf_counter() - t1
            done += len(chunk)
            del chunk
            if rss0 is None: gc.collect(); rss0 = rss_mb()             # after the first chunk: imports and first store files in place
            if done % (args.messages//4) < args.chunk and done < args.messages: samples.append(f"{done:,}: {rss_mb():.0f} MB")
        t0 = time.perf_counter(); writer.add(agg.close_all()); writer.flush(); write_s += time.perf_counter() - t0
        gc.collect(); rss1 = rss_mb()
        c, tot = agg.counts, writer.totals
        stored_trades = sum(len(store.read_trades(s)) for s in SYMBOLS)
        stored_bars = sum(len(store.read_candles(s)) for s in SYMBOLS)
        total = feed_s + write_s
        print(f"recorder bench: {done:,} messages ({c['trades']:,} trades in trade messages, {c['ohlc_updates']:,} ohlc updates, {c['heartbeats']:,} heartbeats), "
              f"3 symbols, {args.ms_per_message:g} ms of market time per message ({done*args.ms_per_message/3.6e6:.1f} h), one core, Python {sys.version.split()[0]}")
        print(f"parse + aggregate: {feed_s:.2f} s ({done/feed_s:,.0f} msg/s)")
        if args.no_store: print(f"take (every {args.take_every} messages), batches dropped (--no-store): {write_s:.2f} s")
        else: print(f"take (every {args.take_every} messages) + BatchWriter into a Parquet store (max_rows {args.max_rows:,}, max_seconds {args.max_seconds:g}): {write_s:.2f} s in {tot['flushes']:,} flushes")
        print(f"end to end: {total:.2f} s = {done/total:,.0f} messages/s")
        print(f"written: {tot['trades_written']:,} trades, {tot['candles_written']:,} closed bars (stored {stored_trades:,} / {stored_bars:,}); "
              f"malformed {c['malformed']}, unexpected {c['unexpected']}, conflicts {tot['conflicts']}, refused {tot['refused']}")
        print(f"RSS after the first chunk {rss0:.0f} MB, then {'; '.join(samples)}; after {done:,} messages {rss1:.0f} MB; peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB")
    finally: shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__': main()

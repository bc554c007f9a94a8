"""The live recorder for ~60 s against a local Kraken (tg4_ml.data.kraken_fakes.FakeKraken) at 10x Kraken's typical message rate.

The recorder runs as `record_sync` in its own process (as `tg4-ml record` would), writing a Parquet store; the WebSocket
and REST servers run in this process. Printed: messages in (recorder) vs sent (server), rows out vs the served market
(nothing lost, nothing twice), the recorder's RSS sampled every few seconds, and its CPU time.

Rate assumed: Kraken's v2 feed for the three pairs of the issue (BTC/USDT, XRP/USDT, XRP/BTC) with `trade` + `ohlc`
carries a few tens of messages per second on a normal day (each trade event is one `trade` and one `ohlc` message,
heartbeats aside); we take 50 msg/s as typical (an assumption: no internet here to measure it), so 10x is 500 msg/s.

    python bench/recorder_live.py [--seconds 60] [--rate 500] [--no-drop]
    python bench/recorder_live.py --null-store    # the same feed, recorder and servers in one process, a store that
                                                  # validates and discards: the recorder's own memory, without the store's
"""
import argparse, asyncio, json, os, signal, tempfile, time
from pathlib import Path

import pandas as pd

from tg4_ml.data.kraken_fakes import FakeKraken, fake_tape, recorder_process, stored_equals_truth, wait_for
from tg4_ml.data.recorder import record
from tg4_ml.data.store import Store, WriteReport, open_store
from tg4_ml.data.validate import validate_candles, validate_trades


class NullStore(Store):
    "Validates every write (as the real stores do) and keeps nothing."
    url = 'null'
    def write_candles(self, symbol, candles, interval='1m', on_conflict='error'):
        c, _ = validate_candles(candles, symbol); return WriteReport(symbol, 'candles_1m', rows=len(c), written=len(c))
    def write_trades(self, symbol, trades):
        t, _ = validate_trades(trades, symbol); return WriteReport(symbol, 'trades', rows=len(t), written=len(t))
    def last_timestamp(self, symbol, interval='1m'): return None
    def read_trades(self, symbol, start=None, end=None): return pd.DataFrame(columns=['timestamp', 'price', 'volume', 'side'])


def null_store_run(fake: FakeKraken, sample: float):
    "Recorder and servers in this process, NullStore: RSS of the process every `sample` s."
    samples = []
    async def main():
        async with fake:
            stop = asyncio.Event()
            async def sampler():
                t0 = time.monotonic()
                while fake.cursor < len(fake.script):
                    samples.append((time.monotonic() - t0, rss_mb(os.getpid()), cpu_s(os.getpid()), fake.cursor)); await asyncio.sleep(sample)
                await asyncio.sleep(1); stop.set()
            task = asyncio.create_task(sampler())
            counts = await record(NullStore(), fake.symbols, url=fake.ws_url, rest_url=fake.rest_url, status=None, stop_event=stop)
            await task
            return counts
    counts = asyncio.run(main())
    print("\n  t (s)   RSS (MB)   CPU (s)   messages served")
    for t_, rss, c, cur in samples: print(f"  {t_:5.0f}   {rss:8.1f}   {c:7.1f}   {cur:,}")
    print(f"\nNullStore: {counts['messages']:,} messages in (server sent {fake.sent:,}), {counts['trades_written']:,} trades + "
          f"{counts['candles_written']} bars accepted; RSS min {min(s[1] for s in samples):.1f}, max {max(s[1] for s in samples):.1f} MB "
          f"(recorder + servers in one process)")


def rss_mb(pid: int) -> float:
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1])/1024
    return float('nan')


def cpu_s(pid: int) -> float:
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12]))/os.sysconf('SC_CLK_TCK')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=float, default=60); ap.add_argument('--rate', type=float, default=500)
    ap.add_argument('--sample', type=float, default=5); ap.add_argument('--no-drop', action='store_true')
    ap.add_argument('--null-store', action='store_true')
    a = ap.parse_args()
    symbols = ('BTC/USDT', 'XRP/USDT', 'XRP/BTC')
    minutes = 60
    groups = a.rate*a.seconds/2.04                       # two messages per trade event, a heartbeat every 50 events
    tape = fake_tape(symbols, minutes=minutes, trades_per_minute=max(1, round(groups/len(symbols)/minutes)), seed=7)
    t = time.perf_counter()
    n_script = None
    fake = FakeKraken(tape, rate=a.rate, heartbeat_every=50, reconnect_skip=0 if a.no_drop else int(2*a.rate), close_at_end=not a.null_store)
    if not a.no_drop: fake.drops = [len(fake.script)//2]
    n_script = len(fake.script)
    print(f"market: {len(symbols)} symbols, {sum(len(v) for v in tape.values()):,} trades, {n_script:,} messages at {a.rate:,.0f} msg/s "
          f"(~{n_script/a.rate:.0f} s){'' if a.no_drop or a.null_store else ', one dropped connection mid-way, the reconnect 2 s of messages later'} (built in {time.perf_counter() - t:.1f} s)")
    if a.null_store:
        fake.drops = []
        return null_store_run(fake, a.sample)
    root = Path(tempfile.mkdtemp(prefix='tg4_rec_bench_'))/'store'
    samples = []
    with fake.serving():
        p = recorder_process(root, fake, status_every=10)
        t0 = time.monotonic(); next_sample = t0
        while fake.cursor < n_script and p.poll() is None:
            if time.monotonic() >= next_sample and time.monotonic() - t0 >= 1:
                samples.append((time.monotonic() - t0, rss_mb(p.pid), cpu_s(p.pid), fake.cursor)); next_sample += a.sample
            time.sleep(0.05)
        # the server closes after the last message; the recorder reconnects once it has read (and flushed) everything
        wait_for(lambda: fake.end_connection is not None and fake.connections > fake.end_connection, 120, "the recorder to read the whole market")
        samples.append((time.monotonic() - t0, rss_mb(p.pid), cpu_s(p.pid), fake.cursor))
        cpu = cpu_s(p.pid)
        p.send_signal(signal.SIGTERM); out, err = p.communicate(timeout=60)
    counts = json.loads(out.split('COUNTS ', 1)[1])
    problems = stored_equals_truth(root, fake)
    store = open_store(root, create=False)
    stored_trades = sum(len(store.read_trades(s)) for s in symbols); stored_bars = sum(len(store.read_candles(s)) for s in symbols)
    served_trades = sum(len(fake.truth_trades(s)) for s in symbols); served_bars = sum(len(fake.truth_candles(s)) for s in symbols)
    wall = samples[-1][0]
    print("\n  t (s)   RSS (MB)   CPU (s)   messages served")
    for t_, rss, c, cur in samples: print(f"  {t_:5.0f}   {rss:8.1f}   {c:7.1f}   {cur:,}")
    print(f"\nrecorder: {counts['messages']:,} messages in (server sent {fake.sent:,}), {counts['messages']/wall:,.0f} msg/s over {wall:.0f} s; "
          f"CPU {cpu:.1f} s ({100*cpu/wall:.0f}% of one core, start-up included)")
    print(f"rows out: {counts['trades_written']:,} trades + {counts['candles_written']:,} bars written; store holds {stored_trades:,} trades "
          f"(served {served_trades:,}) and {stored_bars:,} bars (served {served_bars:,}); reconnects {counts['reconnects']} (one is the reconnect after the end-of-script close), "
          f"backfilled {counts['backfilled_trades']:,} trades + {counts['backfilled_candles']} bars, malformed {counts['malformed']}")
    print("store == served market: " + ("yes (nothing lost, nothing twice)" if not problems else f"NO: {problems}"))
    rss = [s[1] for s in samples]
    print(f"RSS: first sample {rss[0]:.1f} MB, min {min(rss):.1f}, max {max(rss):.1f}, last {rss[-1]:.1f} MB "
          f"(growth after the first {a.sample*2:.0f} s: {rss[-1] - rss[min(2, len(rss) - 1)]:+.1f} MB)")
    if err.strip(): print("recorder stderr (tail):", err.strip()[-500:])


if __name__ == '__main__':
    main()

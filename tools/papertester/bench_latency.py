"""Latency of ml_signal_v1 (or --strategy ml_rl_v1) through the TG4 paper tester's own StrategyLoader / StrategyWrapper, on snapshots built by its own DataManager.

    python bench_latency.py --tester TESTER_DIR --strategies-dir DIR_WITH_SHIM --tape TRADES.csv [--bars 3000] [--out FILE]

Runs inside the tester's virtual environment. Per symbol of the tape: a fresh wrapper from ws_tester.strategy_loader's
discover_strategies (its config limited to that symbol), a ws_tester.data_layer.DataManager fed the tape's trades as
Kraken v2 `trade` messages through its on_message until it holds 400 completed 1-minute candles, then one minute at a
time: each new minute's trades, get_snapshot_async(), and timed calls of wrapper.generate_signal: the first call on the
snapshot scores the new bar, a second call on the same snapshot is the no-new-bar path. Prints p50/p90/p99, the process
RSS and its threads (Python and OS) before on_start and after the run. The figures are printed, never asserted.
"""
import argparse, asyncio, resource, sys, threading, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fmt_us, jsonable, percentiles, write_json


def proc_status(key: str) -> int:
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'): return int(line.split()[1])
    return -1


def last_bar(state: dict, symbol: str, key: str = 'models'):
    "The newest bar the strategy scored for `symbol` (tg4_ml's state: state['tg4_ml'][key][symbol]['last_bar']; key 'agents' for ml_rl_v1)."
    return ((state.get('tg4_ml') or {}).get(key) or {}).get(symbol, {}).get('last_bar')


def trade_msgs(frame, symbol):
    data = [{'symbol': symbol, 'side': s, 'price': float(p), 'qty': float(q), 'ord_type': 'market', 'trade_id': 0,
             'timestamp': t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')} for t, p, q, s in zip(frame['timestamp'], frame['price'], frame['volume'], frame['side'])]
    return [{'channel': 'trade', 'type': 'update', 'data': data[i:i + 50]} for i in range(0, len(data), 50)]


async def bench_symbol(symbol, tape, a, discover, DataManager):
    strategies = discover(a.strategies_dir)
    wrapper = strategies[a.strategy]
    key = 'agents' if a.strategy == 'ml_rl_v1' else 'models'
    wrapper.config[key] = {symbol: wrapper.config[key][symbol]}                 # this symbol's model only
    threads0, os_threads0 = threading.active_count(), proc_status('Threads')
    wrapper.on_start()
    st = wrapper.state.get('tg4_ml', {})
    if st.get('errors', {}).get(symbol): raise SystemExit(f"{symbol}: {st['errors'][symbol]}")
    dm = DataManager([symbol])
    t = tape[tape['symbol'] == symbol]
    minute = t['timestamp'].dt.floor('min')
    groups = [g for _, g in t.groupby(minute, sort=True)]
    i, scored, fast, misses = 0, [], [], 0
    while i < len(groups) and (len(dm._candles_1m.get(symbol, ())) < 400 or len(dm._candles_5m.get(symbol, ())) < a.warm_5m):   # warm up: 400 completed candles (and --warm-5m)
        for m in trade_msgs(groups[i], symbol): await dm.on_message(m)
        i += 1
    warm_candles = len(dm._candles_1m.get(symbol, ()))
    bars = 0
    while i < len(groups) and bars < a.bars:
        for m in trade_msgs(groups[i], symbol): await dm.on_message(m)
        i += 1
        snap = await dm.get_snapshot_async()
        before = last_bar(wrapper.state, symbol, key)
        t0 = time.perf_counter_ns(); wrapper.generate_signal(snap); dt = (time.perf_counter_ns() - t0)/1000
        if last_bar(wrapper.state, symbol, key) != before: scored.append(dt)
        else: misses += 1
        t0 = time.perf_counter_ns(); wrapper.generate_signal(snap); fast.append((time.perf_counter_ns() - t0)/1000)
        bars += 1
    wrapper.on_stop()
    st = wrapper.state.get('tg4_ml', {})
    return {'symbol': symbol, 'warmup_candles': warm_candles, 'bars': bars, 'scored_calls': len(scored), 'calls_without_new_score': misses,
            'scored_us': percentiles(scored), 'scored_max_us': max(scored, default=0.0), 'first_scored_us': scored[0] if scored else None, 'repeat_us': percentiles(fast),
            'signals': wrapper.signals_generated, 'errors': wrapper.errors, 'skipped': jsonable(st.get('skipped')),
            'python_threads': [threads0, threading.active_count()], 'os_threads': [os_threads0, proc_status('Threads')],
            'rss_mb': proc_status('VmRSS')/1024}


async def main_async(a):
    sys.path.insert(0, str(Path(a.tester).resolve()))
    from ws_tester.strategy_loader import discover_strategies
    from ws_tester.data_layer import DataManager
    import pandas as pd
    tape = pd.read_parquet(a.tape) if a.tape.endswith('.parquet') else pd.read_csv(a.tape, parse_dates=['timestamp'])
    out = {'label': a.label, 'results': []}
    for symbol in (a.symbols or sorted(tape['symbol'].unique())):
        r = await bench_symbol(symbol, tape, a, discover_strategies, DataManager)
        out['results'].append(r)
        print(f"[{a.label}] {symbol}: {r['bars']} bars after {r['warmup_candles']} warm-up candles, {r['scored_calls']} scored "
              f"({r['calls_without_new_score']} calls scored nothing; skipped {r['skipped']}), signals {r['signals']}, errors {r['errors']}", flush=True)
        print(f"[{a.label}] {symbol}: scored bar {fmt_us(r['scored_us'])}  max {r['scored_max_us']/1000:.2f} ms, first {(r['first_scored_us'] or 0)/1000:.1f} ms | repeat call {fmt_us(r['repeat_us'])}", flush=True)
        print(f"[{a.label}] {symbol}: RSS {r['rss_mb']:.0f} MB; threads before on_start -> after: python {r['python_threads'][0]} -> {r['python_threads'][1]}, "
              f"OS {r['os_threads'][0]} -> {r['os_threads'][1]}", flush=True)
    out['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024
    print(f"[{a.label}] peak RSS {out['peak_rss_mb']:.0f} MB", flush=True)
    if a.out: write_json(Path(a.out), out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tester', required=True, help="the tester folder (holding ws_tester/)")
    ap.add_argument('--strategies-dir', required=True, help="a folder holding only the strategy's shim")
    ap.add_argument('--strategy', default='ml_signal_v1', help="ml_signal_v1 (default) or ml_rl_v1")
    ap.add_argument('--warm-5m', type=int, default=0, help="also warm up until the DataManager holds this many 5-minute candles (ml_rl_v1's context needs 300)")
    ap.add_argument('--tape', required=True, help="trades .csv (or .parquet): symbol, timestamp, price, volume, side")
    ap.add_argument('--symbols', nargs='+')
    ap.add_argument('--bars', type=int, default=3000, help="scored bars per symbol (default 3000)")
    ap.add_argument('--label', default='idle')
    ap.add_argument('--out')
    asyncio.run(main_async(ap.parse_args()))


if __name__ == '__main__':
    main()

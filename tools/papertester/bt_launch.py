"""Run the TG4 paper tester's own backtest_runner.py (unchanged, imported from its folder) and record what it told the strategy.

    cd TESTER_DIR && PYTHONPATH=TG4_ROOT DATABASE_URL=... python bt_launch.py --record FILE -- <backtest_runner.py arguments>

Runs inside the tester's virtual environment. It calls backtest_runner.main() exactly as `python backtest_runner.py ARGS`
would, after wrapping each loaded strategy's generate_signal / on_fill (pass-through) to keep: the number of calls and
their latency, every signal returned, every fill dict the tester passed to on_fill, and the strategy's state at the end
(the strategy's own accounting). These go to --record as JSON.
"""
import argparse, asyncio, importlib.util, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import jsonable, percentiles, write_json


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tester', default='.', help="the tester folder holding backtest_runner.py (default: the current folder)")
    ap.add_argument('--record', required=True, help="JSON file for the recorded calls, signals, fills and final state")
    ap.add_argument('runner_args', nargs=argparse.REMAINDER, help="-- then backtest_runner.py's own arguments")
    a = ap.parse_args()
    args = a.runner_args[1:] if a.runner_args[:1] == ['--'] else a.runner_args
    path = Path(a.tester).resolve()/'backtest_runner.py'
    spec = importlib.util.spec_from_file_location('backtest_runner', path)
    bt = importlib.util.module_from_spec(spec); sys.modules['backtest_runner'] = bt
    spec.loader.exec_module(bt)

    seen = {}
    original = bt.BacktestExecutor.run_strategy

    async def run_strategy(self, strategy, start_time, end_time):
        rec = seen.setdefault(strategy.name, {'calls': 0, 'latency_us': [], 'signals': [], 'fills': [], 'errors': 0, 'wrapper': strategy})
        gen, fill = strategy.generate_signal, strategy.on_fill
        def generate_signal(snapshot):
            t0 = time.perf_counter_ns()
            try: sig = gen(snapshot)
            except Exception:
                rec['errors'] += 1; raise
            finally:
                rec['calls'] += 1; rec['latency_us'].append((time.perf_counter_ns() - t0)/1000)
            if sig is not None:
                rec['signals'].append({'bar': str(snapshot.timestamp), 'action': sig.action, 'symbol': sig.symbol, 'size': sig.size,
                                       'price': sig.price, 'reason': sig.reason, 'metadata': jsonable(sig.metadata),
                                       'fill_index': None, 'fills_before': len(rec['fills'])})
            return sig
        def on_fill(f):
            rec['fills'].append(jsonable(f))
            if rec['signals']: rec['signals'][-1]['fill_index'] = len(rec['fills']) - 1
            return fill(f)
        strategy.generate_signal, strategy.on_fill = generate_signal, on_fill
        return await original(self, strategy, start_time, end_time)

    bt.BacktestExecutor.run_strategy = run_strategy
    sys.argv = [str(path), *args]
    try:
        asyncio.run(bt.main())
    finally:
        out = {}
        for name, rec in seen.items():
            w = rec.pop('wrapper')
            lat = rec.pop('latency_us')
            out[name] = {**rec, 'latency_us': percentiles(lat), 'latency_max_us': max(lat, default=0.0),
                         'wrapper_signals_generated': w.signals_generated, 'wrapper_errors': w.errors,
                         'config': jsonable(w.config), 'state': jsonable(w.state)}
        write_json(Path(a.record), out)
        done = ', '.join(f"{k}: {v['calls']} calls, {len(v['signals'])} signals, {len(v['fills'])} fills" for k, v in out.items())
        print(f"[bt_launch] recorded {done or 'nothing'} -> {a.record}")


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Latency of ml_signal_v1 (or, with --agent, ml_rl_v1) through the TG4 paper tester's own loader, wrapper and DataManager, idle and under CPU load.

    python3 tools/papertester/run_latency.py [--out DIR] [--bars 3000] [--load-procs 1]
                                             [--model NAME:VERSION --models-dir DIR --store STORE]
                                             [--agent NAME:VERSION --models-dir DIR]   # an RL agent: its DataManager warms up 305 5-minute candles

1. Unless --model is given: `tg4-ml sample` (BTC/USDT and XRP/USDT with trade tapes) and `tg4-ml train classifier` on
   BTC/USDT; the one model serves both symbols (the latency does not depend on which model scores).
2. The trade tape (400 warm-up minutes + --bars minutes per symbol) to OUT/tape.csv; the shim to OUT/ml_strategies.
3. bench_latency.py in the tester's environment (see its docstring), once idle and once while --load-procs busy
   processes spin (each bounded by a deadline and stopped by its PID afterwards).
The target it is meant to show: p99 <= 2 ms per symbol per scored bar, also on a machine running other work.
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, exit_on_sigterm, copy_tester, dev_env, dev_python, run, say, tester_python, tg4_ml

TAPE = r'''
import sys, pandas as pd
from tg4_ml.data.store import open_store
store = open_store(sys.argv[1], create=False); minutes = int(sys.argv[3]); parts = []
for sym in sys.argv[4:]:
    t = store.read_trades(sym)
    start = t['timestamp'].iloc[-1].floor('min') - pd.Timedelta(minutes=minutes)
    parts.append(t[t['timestamp'] >= start].assign(symbol=sym))
tape = pd.concat(parts, ignore_index=True); tape.to_csv(sys.argv[2], index=False)   # CSV: the tester's venv has no pyarrow
print(f"tape: {len(tape)} trades of {sys.argv[4:]}, last {minutes} minutes each")
'''

BUSY = "import time\nend = time.time() + float(__import__('sys').argv[1])\nx = 0\nwhile time.time() < end: x += 1\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--out', help="output folder (default: a new /tmp/tg4pt_latency.* folder)")
    ap.add_argument('--symbols', nargs='+', default=['BTC/USDT', 'XRP/USDT'])
    ap.add_argument('--bars', type=int, default=3000, help="scored bars per symbol (default 3000)")
    ap.add_argument('--load-procs', type=int, default=1, help="busy background processes for the loaded run (default 1)")
    ap.add_argument('--model', help="registered model NAME:VERSION (default: train one on a synthetic market)")
    ap.add_argument('--agent', help="registered RL agent NAME:VERSION (with --models-dir): time ml_rl_v1 instead")
    ap.add_argument('--models-dir', help="registry folder of --model / --agent")
    ap.add_argument('--store', help="store with trade tapes of --symbols (default: the generated one)")
    ap.add_argument('--bench-env', action='append', default=[], metavar='KEY=VALUE',
                    help="environment for the benchmark process, e.g. OMP_NUM_THREADS=1 (repeatable)")
    a = ap.parse_args()
    exit_on_sigterm()
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix='tg4pt_latency.', dir='/tmp'))
    out = out.resolve(); out.mkdir(parents=True, exist_ok=True)
    log = out/'commands.log'
    say(f"output folder {out} (every command's output: {log})")
    warm_5m = 305 if a.agent else 0               # the RL observation's 5-minute context needs 300 of them
    minutes = max(400, warm_5m*5 + 30) + int(a.bars*1.1) + 10          # headroom: minutes without trades make no candle
    store = Path(a.store) if a.store else out/'store'
    if not a.store:
        tg4_ml(['sample', '--store', store, '--days', f"{max(3.0, (minutes + 2100)/1440*1.05):.2f}", '--symbols', *a.symbols], out, log)
    strategy = 'ml_rl_v1' if a.agent else 'ml_signal_v1'
    if a.agent:
        if not a.models_dir: raise SystemExit("--agent needs --models-dir")
        ref, models_dir = a.agent, Path(a.models_dir).resolve()
    elif a.model:
        ref, models_dir = a.model, Path(a.models_dir or out/'models').resolve()
    else:
        models_dir = out/'models'
        (out/'train.toml').write_text('[train]\nmodel_name = "signal_latency"\n')
        t0 = time.time()
        tg4_ml(['train', 'classifier', '--symbol', a.symbols[0], '--store', store, '--config', out/'train.toml'], out, log)
        say(f"trained in {time.time() - t0:.0f} s")
        ref = run([dev_python(), '-c', 'import sys; from tg4_ml.registry import ModelRegistry; print(ModelRegistry(sys.argv[1]).get("signal_latency").ref)',
                   models_dir], log, env=dev_env()).stdout.strip().splitlines()[-1]
    say(run([dev_python(), '-c', TAPE, store, out/'tape.csv', minutes, *a.symbols], log, env=dev_env()).stdout.strip())
    shim_root = out/'shim_root'; (shim_root/'strategies').mkdir(parents=True, exist_ok=True)
    # one model (trained on the first symbol) serves every symbol: the latency does not depend on which model scores
    flag = '--agent' if a.agent else '--model'
    tg4_ml(['install-strategy', shim_root, *[x for s in a.symbols for x in (flag, f"{s}={ref}")], '--allow-other-symbol', '--force'],
           out, log, models_dir=models_dir)
    strategies = out/'ml_strategies'; strategies.mkdir(exist_ok=True); (strategies/'__init__.py').write_text('')
    shim = (shim_root/'strategies'/f'{strategy}.py').read_text()
    if "'allow_other_symbol': True" not in shim:     # install-strategy --allow-other-symbol does not write it into the shim (on_start would refuse)
        shim += "CONFIG['allow_other_symbol'] = True   # added by tools/papertester/run_latency.py\n"
    (strategies/f'{strategy}.py').write_text(shim)
    tester = copy_tester(out/'tg4')
    env = {**dev_env(), 'PYTHONPATH': str(tester.parents[2]), **dict(kv.split('=', 1) for kv in a.bench_env)}
    if a.bench_env: say(f"benchmark environment: {a.bench_env}")
    bench = [tester_python(), HERE/'bench_latency.py', '--tester', tester, '--strategies-dir', strategies, '--tape', out/'tape.csv',
             '--bars', str(a.bars), '--symbols', *a.symbols, '--strategy', strategy, '--warm-5m', str(warm_5m)]
    run([*bench, '--label', 'idle', '--out', out/'idle.json'], log, env=env, timeout=1800, stream=True)
    busy = [subprocess.Popen([sys.executable, '-c', BUSY, '1800']) for _ in range(a.load_procs)]
    say(f"{a.load_procs} busy process(es) started: pids {[b.pid for b in busy]}")
    try:
        run([*bench, '--label', f'load{a.load_procs}', '--out', out/'load.json'], log, env=env, timeout=1800, stream=True)
    finally:
        for b in busy: b.terminate()
        for b in busy: b.wait(10)
        say("busy processes stopped")
    idle, load = json.loads((out/'idle.json').read_text()), json.loads((out/'load.json').read_text())
    print(f"\n===== {strategy} through ws_tester's StrategyWrapper, scored bars (target p99 <= 2 ms per symbol) =====")
    print(f"{'symbol':<10} {'run':<7} {'bars':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'1st ms':>8} {'RSS MB':>7} {'OS threads':>11}")
    for res in (idle, load):
        for r in res['results']:
            s = r['scored_us']
            print(f"{r['symbol']:<10} {res['label']:<7} {r['scored_calls']:>5} {s['p50']/1000:>8.3f} {s['p90']/1000:>8.3f} {s['p99']/1000:>8.3f} "
                  f"{r['scored_max_us']/1000:>8.2f} {(r.get('first_scored_us') or 0)/1000:>8.1f} {r['rss_mb']:>7.0f} {str(r['os_threads'][0]) + '->' + str(r['os_threads'][1]):>11}")
    say(f"done: {out}")


if __name__ == '__main__':
    main()

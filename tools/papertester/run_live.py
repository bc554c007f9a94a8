#!/usr/bin/env python3
"""Run tg4_ml's `ml_signal_v1` (or, with --agent, `ml_rl_v1`) in the real TG4 paper tester's live loop, fed by a local Kraken WebSocket v2 replay, in one command.

    python3 tools/papertester/run_live.py [--out DIR] [--duration 2] [--seconds-per-minute 0.1]
                                          [--model NAME:VERSION --models-dir DIR]
                                          [--agent NAME:VERSION --models-dir DIR]   # an RL agent; the warm-up defaults to 1,600 minutes

1. Unless --model is given: `tg4-ml sample` (a synthetic market with a trade tape) into OUT/store and
   `tg4-ml train classifier` on it (a config that trades), registry under OUT/models.
2. The last part of the store's trade tape (the model's test part) goes to OUT/tape.csv: --warmup-minutes (sent at
   once, like the tester's own candle prefill in main_with_historical.py) + the paced minutes + 60.
3. A copy of the TG4 tree in OUT/tg4 (the original is never modified); a config.yaml copy with
   regime_detection.external_enabled false (no internet), the dashboard off, logs under OUT/logs, only our symbol;
   a strategies folder OUT/ml_strategies holding only the ml_signal_v1 (ml_rl_v1) shim (`tg4-ml install-strategy`).
4. replay_server.py on 127.0.0.1 (bounded), then paper_tester.py's main via live_launch.py, which points
   KrakenWSClient.WS_URL at it: `paper_tester.py --no-dashboard --duration N --strategies-dir OUT/ml_strategies --config ...`.
   Its peak RSS is measured (getrusage in the process, and /proc polling from here).
5. Checks the system log has `ws_connected` (the tester silently falls back to random simulated data otherwise), then
   parses logs/strategies/*.jsonl and logs/trades/fills_*.jsonl: ticks, scored bars, signals, fills, the tester's P&L against
   ours, p50/p90/p99 of the strategy's call latency (all calls and scored-bar calls).
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_backtest import toml_train
from common import (HERE, exit_on_sigterm, copy_tester, dev_env, dev_python, find_pnl_keys, fmt_us, percentiles, round_trips, run, say, tester_python,
                    tg4_ml, write_json)

# [train] with a [train.trading] table: lower label costs and threshold (a model that trades), sized for the tester's
# default 100 USDT portfolio (config.yaml general.starting_capital)
TRAIN = {'horizon': 15, 'trading': {'fee_rate': 0.0005, 'slippage_bps': 2.0, 'confidence_threshold': 0.45,
                                    'position_size_usd': 20.0, 'initial_cash': 100.0}}

TAPE = r'''
import sys, pandas as pd
from tg4_ml.data.store import open_store
trades = open_store(sys.argv[1], create=False).read_trades(sys.argv[2])
minutes = int(sys.argv[4])
start = trades['timestamp'].iloc[-1].floor('min') - pd.Timedelta(minutes=minutes)
tape = trades[trades['timestamp'] >= start].reset_index(drop=True)
tape.to_csv(sys.argv[3], index=False)          # CSV: the tester's venv has no pyarrow
print(f"tape: {len(tape)} trades {tape['timestamp'].iloc[0]} .. {tape['timestamp'].iloc[-1]}")
'''

CONFIG = r'''
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1])) or {}
cfg.setdefault('regime_detection', {})['external_enabled'] = False
cfg.setdefault('dashboard', {})['enabled'] = False
cfg.setdefault('logging', {})['base_dir'] = sys.argv[3]
cfg['symbols'] = [sys.argv[4]]
cfg.setdefault('data', {})['source'] = 'kraken'
yaml.safe_dump(cfg, open(sys.argv[2], 'w'), sort_keys=False)
'''


def read_jsonl(paths):
    rows = []
    for p in paths:
        for line in open(p):
            line = line.strip()
            if line:
                try: rows.append(json.loads(line))
                except ValueError: pass
    return rows


def split_bimodal(lat):
    "Threshold between the fast and slow mode of a latency sample: the largest gap on a log scale in the upper half."
    import math
    v = sorted(x for x in lat if x > 0)
    if len(v) < 10: return None
    logs = [math.log(x) for x in v]
    i = max(range(len(v)//2, len(v) - 1), key=lambda j: logs[j + 1] - logs[j])
    return (v[i] + v[i + 1])/2


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--out', help="output folder (default: a new /tmp/tg4pt_live.* folder)")
    ap.add_argument('--symbol', default='BTC/USDT')
    ap.add_argument('--days', type=float, default=8, help="days of synthetic market to generate and train on (default 8)")
    ap.add_argument('--duration', type=int, default=2, help="paper_tester --duration in minutes (default 2)")
    ap.add_argument('--seconds-per-minute', type=float, default=0.1, help="replay pace: wall seconds per minute of data (default 0.1)")
    ap.add_argument('--warmup-minutes', type=int, default=None,
                    help="minutes of tape the server sends at once first, filling the tester's 400-candle window (default 400; with --agent 1,600: "
                         "the RL observation's 5-minute context needs 300 closed 5-minute candles; 0 = none)")
    ap.add_argument('--agent', help="serve this registered RL agent (NAME:VERSION, with --models-dir) through ml_rl_v1 instead")
    ap.add_argument('--model', help="use this registered model (NAME:VERSION) instead of training one")
    ap.add_argument('--models-dir', help="registry folder of --model")
    ap.add_argument('--store', help="store holding the trade tape (default: the generated OUT/store)")
    ap.add_argument('--strategy-set', action='append', default=[], metavar='KEY=JSON', help="extra CONFIG entries written into the shim")
    a = ap.parse_args()
    if a.warmup_minutes is None: a.warmup_minutes = 1600 if a.agent else 400
    a.strategy = 'ml_rl_v1' if a.agent else 'ml_signal_v1'
    if a.agent and not a.models_dir: raise SystemExit("--agent needs --models-dir")
    exit_on_sigterm()
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix='tg4pt_live.', dir='/tmp'))
    out = out.resolve(); out.mkdir(parents=True, exist_ok=True)
    log = out/'commands.log'
    say(f"output folder {out} (every command's output: {log})")
    store = Path(a.store) if a.store else out/'store'
    if not a.store:                        # the trade tape to replay (and, without --model/--agent, the data to train on)
        tg4_ml(['sample', '--store', store, '--days', str(a.days), '--symbols', a.symbol], out, log)
    if a.agent or a.model:
        ref, models_dir = a.agent or a.model, Path(a.models_dir or out/'models')
    else:
        cfg_file = out/'train.toml'; cfg_file.write_text(toml_train({**TRAIN, 'model_name': 'signal_live'}))
        t0 = time.time()
        tr = tg4_ml(['train', 'classifier', '--symbol', a.symbol, '--store', store, '--config', cfg_file], out, log)
        say(f"trained in {time.time() - t0:.0f} s:\n" + '\n'.join(tr.stdout.strip().splitlines()[-4:-2]))
        models_dir = out/'models'
        ref = run([dev_python(), '-c', 'import sys; from tg4_ml.registry import ModelRegistry; print(ModelRegistry(sys.argv[1]).get("signal_live").ref)',
                   models_dir], log, env=dev_env()).stdout.strip().splitlines()[-1]
    replay_minutes = a.warmup_minutes + int(a.duration*60/a.seconds_per_minute) + 60
    say(run([dev_python(), '-c', TAPE, store, a.symbol, out/'tape.csv', replay_minutes], log, env=dev_env()).stdout.strip())

    tester = copy_tester(out/'tg4')
    shim_root = out/'shim_root'; (shim_root/'strategies').mkdir(parents=True, exist_ok=True)
    ins = tg4_ml(['install-strategy', shim_root, '--agent' if a.agent else '--model', f"{a.symbol}={ref}", '--force', *(['--allow-other-symbol'] if a.agent else [])],
                 out, log, models_dir=models_dir)
    say('install-strategy:\n' + ins.stdout.strip())
    strategies = out/'ml_strategies'; strategies.mkdir(exist_ok=True)
    (strategies/'__init__.py').write_text('')
    extra = {}                            # the shim pins the model and its symbol; trading rules come from the registry
    for kv in a.strategy_set:
        k, _, v = kv.partition('=')
        try: extra[k] = json.loads(v)
        except json.JSONDecodeError: extra[k] = v
    shim = (shim_root/'strategies'/f'{a.strategy}.py').read_text()
    (strategies/f'{a.strategy}.py').write_text(shim + (f"CONFIG.update({extra!r})   # added by tools/papertester/run_live.py\n" if extra else ''))
    logs = out/'logs'
    run([tester_python(), '-c', CONFIG, tester/'config.yaml', out/'config.yaml', logs, a.symbol], log)

    port_file = out/'port'; port_file.unlink(missing_ok=True)
    server_secs = a.duration*60 + 45
    srv_log = open(out/'replay_server.log', 'w')
    proc = None
    server = subprocess.Popen([tester_python(), HERE/'replay_server.py', '--tape', out/'tape.csv', '--symbol', a.symbol,
                               '--port-file', port_file, '--seconds-per-minute', str(a.seconds_per_minute), '--max-seconds', str(server_secs),
                               '--warmup-minutes', str(a.warmup_minutes),
                               '--stats', out/'replay_stats.json'], stdout=srv_log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip(): break
            if server.poll() is not None: raise RuntimeError(f"replay server exited: {(out/'replay_server.log').read_text()[-2000:]}")
            time.sleep(0.1)
        url = f"ws://127.0.0.1:{port_file.read_text().strip()}"
        cmd = [tester_python(), HERE/'live_launch.py', '--tester', tester, '--ws-url', url, '--record', out/'record.json', '--',
               '--no-dashboard', '--duration', str(a.duration), '--strategies-dir', strategies, '--config', out/'config.yaml',
               '--symbols', a.symbol]
        say('$ ' + ' '.join(map(str, cmd)))
        env = {**os.environ, 'PYTHONPATH': str(tester.parents[2]), 'PYTHONDONTWRITEBYTECODE': '1'}
        t0, peak_kb = time.time(), 0
        with open(out/'paper_tester.log', 'w') as plog:
            proc = subprocess.Popen([str(c) for c in cmd], cwd=tester, env=env, stdout=plog, stderr=subprocess.STDOUT)
            while proc.poll() is None:
                try:
                    for line in open(f'/proc/{proc.pid}/status'):
                        if line.startswith('VmRSS:'): peak_kb = max(peak_kb, int(line.split()[1]))
                except OSError: pass
                if time.time() - t0 > a.duration*60 + 120:
                    say("paper tester overran its duration by 2 minutes: stopping it"); proc.terminate()
                    try: proc.wait(20)
                    except subprocess.TimeoutExpired: proc.kill()
                time.sleep(0.2)
        say(f"paper tester exited {proc.returncode} after {time.time() - t0:.0f} s (output: {out/'paper_tester.log'})")
    finally:
        if proc is not None and proc.poll() is None: proc.terminate(); proc.wait(20)
        if server.poll() is None: server.terminate()          # ours, by its PID: it writes its stats and exits
        try: server.wait(timeout=30)
        except subprocess.TimeoutExpired: server.kill(); server.wait(10)
        srv_log.close()
    report(out, logs, a, peak_kb, proc.returncode)


def report(out: Path, logs: Path, a, peak_kb: int, rc: int):
    res = {'exit': rc, 'peak_rss_mb_polled': peak_kb/1024}
    system = read_jsonl(sorted((logs/'system').glob('*.jsonl')))
    events = [e.get('event') for e in system]
    res['ws_connected'] = 'ws_connected' in events
    rec = json.loads((out/'record.json').read_text()) if (out/'record.json').exists() else {}
    stats = json.loads((out/'replay_stats.json').read_text()) if (out/'replay_stats.json').exists() else {}
    print(f"\n===== paper_tester.py live loop, {a.duration} min, replay {a.warmup_minutes} minutes at once, then {a.seconds_per_minute} s per minute of data =====")
    print(f"ws_connected in the system log: {res['ws_connected']}  (tester simulated mode at the end: {rec.get('simulated')}); "
          f"replay server: {stats.get('connections')} connection(s), subscribes {stats.get('subscribes')}, {stats.get('trades')} trades in "
          f"{stats.get('trade_msgs')} messages over {stats.get('minutes_sent')} minutes, {stats.get('book_msgs')} book, {stats.get('ticker_msgs')} ticker")
    if not res['ws_connected']:
        print("!! FAIL: no ws_connected event: the tester ran on its random simulated data, nothing below is about the replay")
    strat = read_jsonl(sorted((logs/'strategies').glob(f'{a.strategy}_*.jsonl')))
    ticks = [e for e in strat if e.get('event') in ('signal_generated', 'no_signal')]
    errors = [e for e in strat if e.get('event') == 'error' or e.get('level') == 'ERROR']
    lat = [float(e['latency_us']) for e in ticks if e.get('latency_us') is not None]
    signals = [e for e in ticks if e.get('event') == 'signal_generated']
    fills = read_jsonl(sorted((logs/'trades').glob('fills_*.jsonl')))
    strat_fills = [f for f in fills if not str(f.get('correlation_id', '')).startswith('auto-')]
    auto_fills = [f for f in fills if str(f.get('correlation_id', '')).startswith('auto-')]
    r = (rec.get('strategies') or {}).get(a.strategy, {})
    scored_flags = r.get('scored') or []
    # which calls scored a new bar: the indicators the strategy logs, else the launcher's per-call flags (same order), else bimodality
    ind_keys = sorted({k for e in ticks for k in (e.get('indicators') or {})})
    how, scored_lat = None, []
    marker = next((k for k in ('scored', 'new_bar') if k in ind_keys), None)
    per_symbol = [k for k in ind_keys if any(isinstance((e.get('indicators') or {}).get(k), dict) and 'last_bar' in e['indicators'][k] for e in ticks)]
    if per_symbol and scored_flags and len(scored_flags) == len(ticks):
        # the launcher's per-call flags (the strategy state's last bar moved during the call), in the log's tick order; the
        # logged indicators cannot tell: the tester's logger queues the state's indicators dict by reference and a writer
        # thread serializes it at flush time (ws_tester/logger.py log_signal, buffer_size 100), so buffered lines show later values
        how = "the strategy state's last bar moving during the call (launcher), latency_us from the strategy log"
        scored_lat = [float(e['latency_us']) for e, f in zip(ticks, scored_flags) if f and e.get('latency_us') is not None]
        distinct = len({json.dumps([(e.get('indicators') or {}).get(k, {}).get('last_bar') for k in per_symbol]) for e in ticks})
        print(f"indicators logged on {sum(1 for e in ticks if e.get('indicators'))} of {len(ticks)} ticks, with only {distinct} distinct last_bar values "
              f"for {sum(1 for f in scored_flags if f)} scored calls: the tester logs the dict by reference (serialized at flush)")
        sample = next((e['indicators'] for e in reversed(ticks) if e.get('indicators')), {})
        print(f"indicators (last logged): {json.dumps(sample, default=str)[:600]}")
        res['indicators_nonempty_ticks'] = sum(1 for e in ticks if e.get('indicators')); res['indicators_distinct_last_bar'] = distinct
    elif per_symbol:                    # tg4_ml: indicators[SYMBOL]['last_bar'] moves on the call that scored a new bar
        how, prev = f"indicators[SYMBOL]['last_bar'] moving ({', '.join(per_symbol)})", {}
        for e in ticks:
            ind = e.get('indicators') or {}
            moved = False
            for k in per_symbol:
                lb = (ind.get(k) or {}).get('last_bar')
                if lb is not None and lb != prev.get(k): moved = True
                prev[k] = lb
            if moved and e.get('latency_us') is not None: scored_lat.append(float(e['latency_us']))
        sample = next((e['indicators'] for e in reversed(ticks) if e.get('indicators')), {})
        print(f"indicators (last logged): {json.dumps(sample, default=str)[:600]}")
        res['indicators_nonempty_ticks'] = sum(1 for e in ticks if e.get('indicators'))
    elif marker:
        how = f"indicators['{marker}']"; scored_lat = [float(e['latency_us']) for e in ticks if (e.get('indicators') or {}).get(marker)]
    elif scored_flags and len(scored_flags) == len(lat) and any(f is not None for f in scored_flags):
        how = "the strategy state's last bar moving during the call (launcher)"; scored_lat = [x for x, f in zip(lat, scored_flags) if f]
    else:
        cut = split_bimodal(lat)
        if cut: how = f"latency bimodality (cut at {cut/1000:.3f} ms)"; scored_lat = [x for x in lat if x > cut]
    print(f"ticks (strategy calls logged) {len(ticks)}, scored bars {len(scored_lat)} (by {how}), signals {len(signals)}, "
          f"strategy errors logged {len(errors)}, indicators logged: {ind_keys or 'none'}")
    print(f"fills: {len(strat_fills)} from strategy signals ({', '.join(sorted({f['fill']['side'] for f in strat_fills})) or '-'}), "
          f"{len(auto_fills)} stop/target fills by the tester (no on_fill); on_fill calls recorded {len(r.get('fills') or [])}")
    print(f"latency all calls   (n={len(lat)}): {fmt_us(percentiles(lat))}")
    print(f"latency scored bars (n={len(scored_lat)}): {fmt_us(percentiles(scored_lat))}")
    tester_pnl_fills = sum(float(f['fill'].get('pnl') or 0) for f in fills)
    port = r.get('portfolio') or {}
    last_price = None
    if fills: last_price = fills[-1]['fill']['price']
    rt = round_trips([f['fill'] for f in fills])
    print(f"tester P&L: sum of fill pnl {tester_pnl_fills:+.4f} USDT; portfolio at the end: pnl {port.get('pnl')}, equity {port.get('equity')}, "
          f"trades {port.get('trades')}, win rate {port.get('win_rate')}")
    print(f"ours from the fills (average cost, all fees, incl. stop fills): realized {rt['realized_pnl']:+.4f} over {rt['closed_trades']} closed trades, "
          f"open {rt['open_positions'] or 'none'}")
    st = r.get('state') or {}
    print(f"ours from the strategy's own accounting (state): {find_pnl_keys(st) or 'no pnl keys in state'}")
    tg = st.get('tg4_ml') if isinstance(st.get('tg4_ml'), dict) else {}
    if 'closed_pnl' in tg:
        strat_fill_pnl = sum(float(f['fill'].get('pnl') or 0) for f in strat_fills)
        print(f"AGREEMENT: tester sum of fill pnl {tester_pnl_fills:+.6f} (strategy fills {strat_fill_pnl:+.6f}, stop/target fills "
              f"{tester_pnl_fills - strat_fill_pnl:+.6f}) | strategy closed_pnl {tg['closed_pnl']:+.6f} over {len(tg.get('round_trips') or [])} round trips "
              f"(tester pnl it was told {tg.get('tester_pnl', 0.0):+.6f}) | difference {tg['closed_pnl'] - tester_pnl_fills:+.2e}; strategy calls {tg.get('calls')}, "
              f"signals {tg.get('signals')}, fills {tg.get('fills')}, unfilled {tg.get('unfilled')}, exits {tg.get('exits')}")
        for x in tg.get('round_trips') or []: print(f"   round trip: {x}")
        res.update(closed_pnl=tg['closed_pnl'], strategy_tester_pnl=tg.get('tester_pnl'), round_trips=len(tg.get('round_trips') or []),
                   strategy_counts={k: tg.get(k) for k in ('calls', 'signals', 'fills', 'unfilled', 'exits', 'skipped')})
    for sym, m in (tg.get('agents') or {}).items():         # ml_rl_v1: the book it keeps from the tester's fills
        b = m.get('book') or {}
        print(f"ml_rl_v1 book {sym}: cash {b.get('cash')}, position {b.get('qty')}, average fill {b.get('entry')}, target {b.get('target')}, fees {b.get('fees')}, "
              f"round trips {b.get('trades')}; calls {tg.get('calls')}, signals {tg.get('signals')}, fills {tg.get('fills')}, unfilled {tg.get('unfilled')}")
        res.setdefault('books', {})[sym] = b
    stop_lines = [l.rstrip() for l in open(out/'paper_tester.log', errors='replace') if l.startswith(f'[{a.strategy}]')] if (out/'paper_tester.log').exists() else []
    print("strategy's own lines in the tester output (on_start / on_stop):\n  " + '\n  '.join(stop_lines[-4:]))
    res['strategy_lines'] = stop_lines
    if tg.get('skipped') or tg.get('errors'): print(f"strategy skipped {tg.get('skipped')}, errors {tg.get('errors')}, last error {tg.get('last_error')}")
    print(f"peak RSS of the tester process: {rec.get('peak_rss_mb', float('nan')):.0f} MB (getrusage), {peak_kb/1024:.0f} MB (polled); "
          f"threads before/after main: Python {rec.get('threads_before_main')}/{rec.get('threads_after_main')}, "
          f"OS {rec.get('os_threads_before_main')}/{rec.get('os_threads_after_main')}; tester counts {rec.get('counts')}")
    res.update(ticks=len(ticks), scored=len(scored_lat), scored_by=how, signals=len(signals), fills_strategy=len(strat_fills), fills_auto=len(auto_fills),
               latency_all_us=percentiles(lat), latency_scored_us=percentiles(scored_lat), tester_fill_pnl=tester_pnl_fills, portfolio=port,
               ours_from_fills=rt, ours_state=find_pnl_keys(st), peak_rss_mb=rec.get('peak_rss_mb'), replay=stats)
    write_json(out/'report.json', res)
    say(f"done: {out/'report.json'}")
    if not res['ws_connected']: sys.exit(1)


if __name__ == '__main__':
    main()

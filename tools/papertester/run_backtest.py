#!/usr/bin/env python3
"""Backtest tg4_ml's `ml_signal_v1` in the real TG4 paper tester's backtest_runner.py, end to end, in one command.

    python3 tools/papertester/run_backtest.py [--csv FILE] [--symbol BTC/USDT] [--out DIR] [--configs trading,default]

1. Kraken OHLCVT file: a Kraken file is used as is; a CSV with a header (e.g. the Binance sample) is converted with
   tg4_ml.data.kraken.read_candles_csv + to_kraken_ohlcvt into OUT/data/ (never into the repo).
2. A throwaway PostgreSQL (tools/pg.sh), a database in it, `tg4-ml db init` and `tg4-ml ingest kraken-ohlcvt`.
3. `tg4-ml train classifier` once per training config ('trading': lower label costs, a 30-bar horizon and a lower
   confidence threshold, so that the model trades; 'default': tg4_ml's defaults), registry and MLflow under OUT.
4. A copy of the TG4 tree in OUT/tg4 (the original is never modified), `tg4-ml install-strategy` into it.
5. The tester's backtest_runner.py over the model's test part (+ the runner's 2000-bar warmup before it), run by
   bt_launch.py, which records the calls, signals, fills and final strategy state.
6. A report: calls, signals, fills, the tester's P&L and win rate, ours (the strategy's own accounting in its state and an
   independent average-cost P&L of the fills the tester passed to on_fill), tg4_ml's research backtest of the same part.
Everything lands in OUT (default: a new /tmp/tg4pt_backtest.* folder); the PostgreSQL server is stopped on exit.
"""
import argparse, json, sys, tempfile, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (HERE, exit_on_sigterm, Postgres, copy_tester, dev_env, dev_python, find_pnl_keys, fmt_us, round_trips, run, say, tester_python,
                    tg4_ml, write_json)

DEFAULT_CSV = '/work/shared/data/real/binance_BTCUSDT_1m_2023-03-01_2023-03-21.csv'
WARMUP_BARS = 2000                      # backtest_runner's BacktestConfig.warmup_periods for 1-minute strategies
TRAIN_CONFIGS = {
    # [train] keys and a [train.trading] table: lower costs (0.05 % fee, 2 bps), a 30-bar horizon and a lower threshold: a model that trades
    'trading': {'horizon': 30, 'trading': {'fee_rate': 0.0005, 'slippage_bps': 2.0, 'confidence_threshold': 0.37}},
    'default': {},
}


def toml_train(cfg: dict) -> str:
    "A TOML config file with a [train] table and, for a nested dict, a [train.<key>] table (flat values only)."
    val = lambda v: json.dumps(v)                                  # str/int/float/bool: JSON spelling is valid TOML
    flat = [f"{k} = {val(v)}" for k, v in cfg.items() if not isinstance(v, dict)]
    text = '[train]\n' + ''.join(x + '\n' for x in flat)
    for k, v in cfg.items():
        if isinstance(v, dict): text += f'\n[train.{k}]\n' + ''.join(f"{kk} = {val(vv)}\n" for kk, vv in v.items())
    return text

CONVERT = r'''
import sys
from tg4_ml.data.kraken import read_candles_csv, to_kraken_ohlcvt
candles, report = read_candles_csv(sys.argv[1], sys.argv[2])
to_kraken_ohlcvt(candles, sys.argv[3])
print(f"converted {len(candles)} candles {candles.index[0]} .. {candles.index[-1]} -> {sys.argv[3]}")
'''

TEST_PART = r'''
import json, sys
import pandas as pd
from tg4_ml.registry import ModelRegistry
from tg4_ml.data.store import open_store
# the registry entry records the test part [test_start, test_end), the symbol and the trading rules (config['trading'])
reg = ModelRegistry(sys.argv[1]); name, _, ver = sys.argv[2].partition(':')
mv = reg.get(name, int(ver) if ver else None); cfg = mv.config
t0, t1 = pd.Timestamp(cfg['test_start']), pd.Timestamp(cfg['test_end'])
candles = open_store(sys.argv[3], create=False).read_candles(cfg['symbol'])
test = candles[(candles.index >= t0) & (candles.index < t1)]
before = candles[candles.index < t0]
warm = before.index[max(0, len(before) - int(sys.argv[4]))] if len(before) else t0
print(json.dumps({'ref': mv.ref, 'symbol': cfg['symbol'], 'test_start': cfg['test_start'], 'test_end': cfg['test_end'],
                  'test_first_bar': str(test.index[0]), 'test_last_bar': str(test.index[-1]), 'test_bars': len(test),
                  'bars_before_test': len(before), 'warmup_start': str(warm),
                  'last_close': float(test.close.iloc[-1]), 'first_close': float(test.close.iloc[0]),
                  'trading': cfg['trading'], 'threshold': cfg['trading']['confidence_threshold'],
                  'research_backtest': {k: v for k, v in mv.metrics.items() if k.startswith('bt_')}, 'accuracy': mv.metrics.get('accuracy')}))
'''


COMPAT_VIEWS = r'''
import sys, psycopg
from psycopg import sql
from tg4_ml.data.postgres import TIMEFRAMES, BUCKET_ORIGIN
# Stand-in, only with --compat-views: append the columns the tester's HistoricalDataProvider selects (trade_count, vwap)
# to tg4_ml's plain date_bin views (CREATE OR REPLACE VIEW may add columns at the end). Not for TimescaleDB aggregates.
done = []
with psycopg.connect(sys.argv[1]) as conn, conn.cursor() as cur:
    for name, minutes in TIMEFRAMES.items():
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", (name,))
        cols = [r[0] for r in cur.fetchall()]
        if not cols or 'trade_count' in cols: continue
        if cols != ['symbol', 'timestamp', 'open', 'high', 'low', 'close', 'volume']: sys.exit(f"{name}: unexpected columns {cols}")
        cur.execute(sql.SQL("""CREATE OR REPLACE VIEW {name} AS
SELECT symbol, date_bin({width}::interval, "timestamp", {origin}::timestamptz) AS "timestamp",
       (array_agg(open ORDER BY "timestamp"))[1] AS open, max(high) AS high, min(low) AS low,
       (array_agg(close ORDER BY "timestamp" DESC))[1] AS close, sum(volume) AS volume,
       sum(trade_count)::bigint AS trade_count, sum(volume*vwap)/nullif(sum(volume), 0) AS vwap
FROM candles WHERE interval_minutes = 1 GROUP BY symbol, 2""").format(name=sql.Identifier(name), width=sql.Literal(f'{minutes} minutes'),
                                                                  origin=sql.Literal(BUCKET_ORIGIN)))
        done.append(name)
print(f"compat views: added trade_count, vwap to {done or 'nothing (all views have them)'}")
'''


def is_kraken_ohlcvt(path: Path) -> bool:
    first = path.open().readline().strip().split(',')
    try: [float(x) for x in first]; return len(first) >= 6
    except ValueError: return False


def output_folder(path, prefix: str) -> tuple[Path, Path]:
    "(the output folder, created: `path` or a new /tmp/PREFIX* folder; its commands.log)."
    out = Path(path) if path else Path(tempfile.mkdtemp(prefix=prefix, dir='/tmp'))
    out = out.resolve(); out.mkdir(parents=True, exist_ok=True)
    log = out/'commands.log'
    say(f"output folder {out} (every command's output: {log})")
    return out, log


def kraken_file(csv: Path, symbol: str, out: Path, log: Path) -> Path:
    "A Kraken OHLCVT file as is; a CSV with a header (e.g. the Binance sample) converted into OUT/data/ (never into the repo)."
    if is_kraken_ohlcvt(csv): return csv
    kraken = out/'data'/f"{symbol.replace('/', '')}_1.csv"; kraken.parent.mkdir(parents=True, exist_ok=True)
    say(run([dev_python(), '-c', CONVERT, csv, symbol, kraken], log, env=dev_env()).stdout.strip())
    return kraken


def iso_naive(ts: str) -> str:
    "'2023-03-18 05:00:00+00:00' -> '2023-03-18T05:00:00' (backtest_runner adds UTC itself)."
    return ts.replace(' ', 'T').split('+')[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--csv', default=DEFAULT_CSV, help="Kraken OHLCVT file (SYMBOL_1.csv) or a CSV with a header row (converted)")
    ap.add_argument('--symbol', default='BTC/USDT')
    ap.add_argument('--out', help="output folder (default: a new /tmp/tg4pt_backtest.* folder)")
    ap.add_argument('--configs', default='trading,default', help=f"training configs to run, comma separated, from {list(TRAIN_CONFIGS)}")
    ap.add_argument('--strategy-set', action='append', default=[], metavar='KEY=JSON',
                    help="extra CONFIG entries written into the installed shim (backtest_runner reads no config.yaml), e.g. position_size_usd=20; "
                         "by default confidence_threshold is set to the training config's")
    ap.add_argument('--compat-views', action='store_true',
                    help="off by default (tg4_ml's views carry the tester's columns): append trade_count and vwap to views that lack them "
                         "(only for a tg4_ml older than its TG4-column views)")
    ap.add_argument('--runner-env', action='append', default=[], metavar='KEY=VALUE',
                    help="extra environment for backtest_runner.py, e.g. OMP_NUM_THREADS=1 (repeatable)")
    ap.add_argument('--verbose', action='store_true', help="echo backtest_runner's output live")
    ap.add_argument('--run-printed', action='store_true',
                    help="also run the backtest command install-strategy printed, as printed (the tester's Python for `python`, this database "
                         "for $DATABASE_URL, --output added), and report its summary: what a user following the printout gets")
    ap.add_argument('--timeout', type=float, default=1500, help="seconds for each backtest_runner run (default 1500)")
    ap.add_argument('--deep', choices=['lstm', 'ensemble', 'sized', 'ensemble+sized'],
                    help="also train the deep models (needs the deep extra in the tester's venv: TG4_PT_EXTRA=deep setup.sh) and trade "
                         "'lstm' (the LSTM alone), 'ensemble' (classifier + LSTM through SignalEnsemble), 'sized' (the classifier sized by the "
                         "position sizer) or 'ensemble+sized'")
    ap.add_argument('--deep-epochs', type=int, default=2, help="LSTM epochs (default 2: a smoke-sized CPU run)")
    ap.add_argument('--deep-max-batches', type=int, default=60, help="LSTM batches per epoch (default 60 of 256 windows)")
    a = ap.parse_args()
    exit_on_sigterm()
    out, log = output_folder(a.out, 'tg4pt_backtest.')
    kraken = kraken_file(Path(a.csv), a.symbol, out, log)

    results = {}
    with Postgres() as pg:
        url = pg.create_database('tg4pt')
        tg4_ml(['db', 'init', '--store', url], out, log)
        if a.compat_views: say(run([dev_python(), '-c', COMPAT_VIEWS, url], log, env=dev_env()).stdout.strip())
        say(tg4_ml(['ingest', 'kraken-ohlcvt', kraken, '--symbol', a.symbol, '--store', url], out, log).stdout.strip().splitlines()[-1])
        tester_copy = copy_tester(out/'tg4')
        tg4_root = tester_copy.parents[2]
        for tag in a.configs.split(','):
            tcfg = {**TRAIN_CONFIGS[tag], 'model_name': f"signal_{a.symbol.replace('/', '_').lower()}_{tag}"}
            cfg_file = out/f'train_{tag}.toml'; cfg_file.write_text(toml_train(tcfg))
            t0 = time.time()
            tr = tg4_ml(['train', 'classifier', '--symbol', a.symbol, '--store', url, '--config', cfg_file], out, log)
            say(f"trained '{tag}' in {time.time() - t0:.0f} s:\n" + '\n'.join(tr.stdout.strip().splitlines()[-4:]))
            part = json.loads(run([dev_python(), '-c', TEST_PART, out/'models', tcfg['model_name'], url, WARMUP_BARS], log, env=dev_env()).stdout.strip().splitlines()[-1])
            ref = part['ref']
            model_arg, sizer_args = ref, []
            if a.deep:
                model_arg, sizer_args, deep_refs = train_deep(a, tag, url, out, log)
                model_arg = model_arg.replace('CLASSIFIER', ref)
                if a.deep == 'lstm':             # the runner's window: the LSTM's own test part
                    part = json.loads(run([dev_python(), '-c', TEST_PART, out/'models', deep_refs['lstm'], url, WARMUP_BARS], log, env=dev_env()).stdout.strip().splitlines()[-1])
                part['deep'] = deep_refs
            # install the shim into the copy; extra CONFIG lines go into that copy's shim only
            ins = tg4_ml(['install-strategy', tester_copy, '--model', f"{a.symbol}={model_arg}", *sizer_args, '--force'], out, log)
            say('install-strategy:\n' + ins.stdout.strip())
            printed = next((l.strip() for l in ins.stdout.splitlines() if 'backtest_runner.py' in l), '')
            toks = printed.split()
            capital = toks[toks.index('--capital') + 1] if '--capital' in toks else None     # the size/capital rule of install-strategy
            shim = tester_copy/'strategies'/'ml_signal_v1.py'
            extra = {}                    # the shim already pins the model and its symbol; its trading rules come from the registry
            for kv in a.strategy_set:
                k, _, v = kv.partition('=')
                try: extra[k] = json.loads(v)
                except json.JSONDecodeError: extra[k] = v
            if extra: shim.write_text(shim.read_text() + f"CONFIG.update({extra!r})   # added by tools/papertester/run_backtest.py\n")
            bt_out = out/f'backtest_{tag}'
            start, end = iso_naive(part['warmup_start']), iso_naive(part['test_last_bar'])
            end = end[:-2] + '59' if end.endswith(':00') else end          # include the last test bar (runner: timestamp < end)
            t0 = time.time()
            p = run([tester_python(), HERE/'bt_launch.py', '--tester', tester_copy, '--record', bt_out/'record.json', '--',
                     '--strategies', 'ml_signal_v1', '--symbols', a.symbol, '--start', start, '--end', end, '--output', bt_out,
                     *(['--capital', capital] if capital else [])],
                    log, env={**dev_env(), 'PYTHONPATH': str(tg4_root), 'DATABASE_URL': url, **dict(kv.split('=', 1) for kv in a.runner_env)}, cwd=tester_copy, check=False, timeout=a.timeout,
                    stream=a.verbose)
            wall = time.time() - t0
            summaries = sorted(bt_out.glob('backtest_summary_*.json'))
            summary = json.loads(summaries[-1].read_text()) if summaries else None
            rec_file = bt_out/'record.json'
            record = json.loads(rec_file.read_text()).get('ml_signal_v1') if rec_file.exists() else None
            results[tag] = report(tag, part, summary, record, p.returncode, wall, p.stdout)
            results[tag].update(printed_command=printed, capital=capital, train_config=cfg_file.read_text())
            if a.run_printed and printed:
                results[tag]['printed_run'] = run_printed(printed, url, bt_out/'printed', log, a.timeout)
    write_json(out/'report.json', results)
    say(f"done: {out/'report.json'}")


def train_deep(a, tag: str, url: str, out: Path, log: Path) -> tuple[str, list, dict]:
    "Train the LSTM and/or the sizer with the training config's trading rules; the --model value (CLASSIFIER = the classifier's ref) and --sizer args."
    slug, trading, refs = a.symbol.replace('/', '_').lower(), TRAIN_CONFIGS[tag].get('trading', {}), {}
    if a.deep in ('lstm', 'ensemble', 'ensemble+sized'):
        cfg = {'model_name': f"lstm_{slug}_{tag}", 'classifier': False, 'trading': trading,
               'loop': {'epochs': a.deep_epochs, 'max_batches': a.deep_max_batches, 'device': 'cpu'}}
        f = out/f'lstm_{tag}.toml'; f.write_text(toml_train(cfg))
        t0 = time.time()
        r = tg4_ml(['train', 'lstm', '--symbol', a.symbol, '--store', url, '--config', f], out, log)
        say(f"trained the LSTM '{tag}' in {time.time() - t0:.0f} s:\n" + '\n'.join(r.stdout.strip().splitlines()[-12:]))
        refs['lstm'] = next(w.rstrip(':,') for l in r.stdout.splitlines() for w in l.split() if w.startswith(f"lstm_{slug}_{tag}:"))
    if a.deep in ('sized', 'ensemble+sized'):
        cfg = {'model_name': f"sizer_{slug}_{tag}", 'horizon': TRAIN_CONFIGS[tag].get('horizon', 15), 'trading': trading}
        f = out/f'sizer_{tag}.toml'; f.write_text(toml_train(cfg))
        t0 = time.time()
        r = tg4_ml(['train', 'sizer', '--symbol', a.symbol, '--store', url, '--config', f], out, log)
        say(f"trained the sizer '{tag}' in {time.time() - t0:.0f} s:\n" + r.stdout.strip())
        refs['sizer'] = r.stdout.split()[0]
    model = {'lstm': refs.get('lstm'), 'sized': 'CLASSIFIER'}.get(a.deep, f"CLASSIFIER+{refs.get('lstm')}")
    return model, (['--sizer', f"{a.symbol}={refs['sizer']}"] if 'sizer' in refs else []), refs


def run_printed(printed: str, url: str, dest: Path, log: Path, timeout: float) -> dict:
    "Run install-strategy's printed backtest command as printed; its summary figures and the strategy's on_stop line."
    import os
    cmd = printed.replace(' python backtest_runner.py', f' {tester_python()} backtest_runner.py').replace('"$DATABASE_URL"', url) + f' --output {dest}'
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'DATABASE_URL')}
    t0 = time.time()
    p = run(['bash', '-c', cmd], log, env={**env, 'PYTHONDONTWRITEBYTECODE': '1'}, check=False, timeout=timeout)
    summaries = sorted(dest.glob('backtest_summary_*.json'))
    s = next((x for x in json.loads(summaries[-1].read_text())['strategies'] if x['name'] == 'ml_signal_v1'), None) if summaries else None
    line = next((l for l in p.stdout.splitlines()[::-1] if l.startswith('[ml_signal_v1]') and ' calls, ' in l), None)
    print(f"\n-- the printed command, run as printed (exit {p.returncode}, {time.time() - t0:.0f} s): {cmd}")
    if s: print(f"   tester: candles {s['candles_processed']}, signals {s['signals_generated']}, fills {s['total_trades']}, total P&L {s['total_pnl']:+.4f}, "
                f"per-fill pnl {s['pnl_by_symbol']}, window {s['start_time']} .. {s['end_time']}")
    else: print('   no summary; output tail:\n' + '\n'.join(p.stdout.splitlines()[-15:]))
    print(f"   strategy: {line}")
    return {'command': cmd, 'exit': p.returncode, 'summary': s, 'on_stop': line}


def report(tag, part, summary, record, rc, wall, stdout) -> dict:
    print(f"\n===== backtest_runner.py, training config '{tag}': model {part['ref']} (test accuracy {part['accuracy']:.3f}) =====")
    print(f"test part: {part['test_bars']} bars {part['test_first_bar']} .. {part['test_last_bar']}  "
          f"(runner window starts {WARMUP_BARS} bars earlier for its warmup; {part['bars_before_test']} bars exist before the test part)")
    print(f"runner exit {rc}, {wall:.0f} s wall")
    res = {'model': part, 'exit': rc, 'wall_s': wall}
    s = (summary or {}).get('strategies') or []
    s = next((x for x in s if x['name'] == 'ml_signal_v1'), None)
    if s is None:
        print("!! no ml_signal_v1 result in backtest_summary (runner output tail below)")
        print('\n'.join(stdout.splitlines()[-25:])); res['error'] = 'no summary'
        return res
    print(f"tester: candles {s['candles_processed']}, signals {s['signals_generated']}, trades(fills) {s['total_trades']} "
          f"({s['winning_trades']} won / {s['losing_trades']} lost, win rate {s['win_rate']:.1f} % incl. entries), "
          f"total P&L {s['total_pnl']:+.4f} USDT ({s['total_pnl_pct']:+.3f} %), sum of fill pnl by symbol {s['pnl_by_symbol']}")
    res['tester'] = {k: s[k] for k in ('candles_processed', 'signals_generated', 'total_trades', 'winning_trades', 'losing_trades', 'win_rate',
                                        'total_pnl', 'total_pnl_pct', 'pnl_by_symbol', 'ending_capital', 'max_drawdown_pct')}
    if record:
        sig_by, unfilled = {}, {}
        for x in record['signals']:
            sig_by[x['action']] = sig_by.get(x['action'], 0) + 1
            if x['fill_index'] is None: unfilled[x['action']] = unfilled.get(x['action'], 0) + 1
        fill_by = {}
        for f in record['fills']: fill_by[f['side']] = fill_by.get(f['side'], 0) + 1
        lags = {}                          # backtest snapshots end with a complete candle: which bar did the signal score?
        for x in record['signals']:
            bar = (x.get('metadata') or {}).get('bar')
            if isinstance(bar, (int, float)):
                lag = round((datetime.fromisoformat(x['bar']).timestamp()*1e6 - bar)/60e6)
                lags[f'{lag} bar(s)'] = lags.get(f'{lag} bar(s)', 0) + 1
        rt = round_trips(record['fills'])
        open_value = sum(q*part['last_close'] for q in rt['open_positions'].values())
        st = record['state'].get('tg4_ml', record['state'])
        own = find_pnl_keys(record['state'])
        print(f"calls {record['calls']} (errors raised {record['errors']}), latency per call {fmt_us(record['latency_us'])}, max {record['latency_max_us']/1000:.2f} ms")
        print(f"signals by action {sig_by}; not filled by the tester {unfilled or 'none'}; fills passed to on_fill by side {fill_by or 'none'}")
        if lags: print(f"signal's scored bar behind the newest complete candle of its snapshot: {lags} (0 = on time)")
        print(f"ours from the fills (average cost, all fees): realized {rt['realized_pnl']:+.4f} USDT over {rt['closed_trades']} closed trades "
              f"(win rate {rt['win_rate']*100 if rt['closed_trades'] else float('nan'):.1f} %), fees {rt['fees']:.4f}, "
              f"open {rt['open_positions'] or 'none'} (worth {open_value:.2f} at the last test close)")
        print(f"ours from the strategy's own accounting (state): {own or 'no pnl keys in state'}")
        if isinstance(st, dict) and 'closed_pnl' in st:
            fill_pnl = sum(float(f.get('pnl') or 0.0) for f in record['fills'])
            rts = st.get('round_trips') or []
            print(f"AGREEMENT: tester per-fill pnl sum {fill_pnl:+.6f} | strategy closed_pnl {st['closed_pnl']:+.6f} over {len(rts)} round trips "
                  f"(the tester's pnl it was told: {st.get('tester_pnl', 0.0):+.6f}) | difference {st['closed_pnl'] - fill_pnl:+.2e}; "
                  f"tester total_pnl (mark-to-market) {s['total_pnl']:+.6f}; strategy: calls {st.get('calls')}, signals {st.get('signals')}, "
                  f"fills {st.get('fills')}, unfilled {st.get('unfilled')}, exits {st.get('exits')}")
            refused = [x for x in record['signals'] if x['fill_index'] is None and x['action'] in ('sell', 'cover')]
            print(f"exits the tester refused (99 % rule or no holding): {len(refused)}" + (f"; first: {refused[0]}" if refused else ''))
            per_sym = {sym: {'skipped': m.get('skipped'), 'scored_bars': len(m.get('latency_ms') or []), 'last_bar': m.get('last_bar')}
                       for sym, m in (st.get('models') or {}).items() if isinstance(m, dict)}
            print(f"per symbol: {per_sym}")
            res.update(fill_pnl_sum=fill_pnl, closed_pnl=st['closed_pnl'], strategy_tester_pnl=st.get('tester_pnl'), round_trips=len(rts),
                       refused_exits=len(refused), per_symbol=per_sym, strategy_counts={k: st.get(k) for k in ('calls', 'signals', 'fills', 'unfilled', 'exits')})
        skipped = st.get('skipped') if isinstance(st, dict) else None
        if skipped: print(f"strategy skipped snapshots: {skipped}; last error: {st.get('last_error')}")
        if isinstance(st, dict) and st.get('errors'): print(f"strategy errors: {st['errors']}")
        res.update(calls=record['calls'], latency_us=record['latency_us'], signals_by_action=sig_by, unfilled_by_action=unfilled,
                   fills_by_side=fill_by, signal_bar_lag=lags, ours_from_fills=rt, ours_state=own, skipped=skipped)
    rb = part['research_backtest']
    print(f"tg4_ml research backtest of the same test part (registry): trades {rb.get('bt_trades')}, net return {rb.get('bt_total_return')}, "
          f"fees {rb.get('bt_fees_paid')} (position size, fees and threshold from the training config)")
    return res


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Backtest a tg4_ml RL agent (`ml_rl_v1`) in the real TG4 paper tester's backtest_runner.py, end to end, in one command.

    python3 tools/papertester/run_rl_backtest.py [--csv FILE] [--symbol BTC/USDT] [--out DIR] [--algo ppo] [--timesteps 30000]

1. The candles into a throwaway PostgreSQL (tools/pg.sh) with `tg4-ml db init` and `tg4-ml ingest kraken-ohlcvt` (a CSV
   with a header, e.g. the Binance sample, is converted first, as run_backtest.py does).
2. `tg4-ml train rl` on that database (the tester's own costs: fee 0.1 %, slippage 5 bps; a position of 1,000 USD on a
   10,000 USD book); registry and MLflow under OUT. Its one out-of-sample pass (tg4_ml's research figures) is printed.
3. A copy of the TG4 tree in OUT/tg4 (the original is never modified), `tg4-ml install-strategy --agent` into it.
4. The tester's backtest_runner.py over the agent's test part (+ the runner's 2000-bar warm-up before it, which also
   gives the observation's 5-minute context its 300 closed bars), run by bt_launch.py (records calls, signals, fills and the
   strategy's final state).
5. A report: the tester's figures, the strategy's own book (cash, position, fees) and the research pass on the same part.
Everything lands in OUT (default: a new /tmp/tg4pt_rl.* folder); the PostgreSQL server is stopped on exit.
"""
import argparse, json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, exit_on_sigterm, Postgres, copy_tester, dev_env, dev_python, fmt_us, run, say, tester_python, tg4_ml, write_json
from run_backtest import DEFAULT_CSV, TEST_PART, WARMUP_BARS, iso_naive, kraken_file, output_folder, toml_train

TRADING = {'fee_rate': 0.001, 'slippage_bps': 5.0, 'position_size_usd': 1000.0, 'initial_cash': 10000.0}   # the tester's costs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--csv', default=DEFAULT_CSV, help="Kraken OHLCVT file (SYMBOL_1.csv) or a CSV with a header row (converted)")
    ap.add_argument('--symbol', default='BTC/USDT')
    ap.add_argument('--out', help="output folder (default: a new /tmp/tg4pt_rl.* folder)")
    ap.add_argument('--algo', default='ppo', choices=['ppo', 'sac', 'maskable_ppo'])
    ap.add_argument('--timesteps', type=int, default=30_000, help="training steps (default 30,000: a few minutes on 2 cores)")
    ap.add_argument('--mode', default='long_only', choices=['long_only', 'long_short'])
    ap.add_argument('--timeout', type=float, default=1500, help="seconds for the backtest_runner run (default 1500)")
    a = ap.parse_args()
    exit_on_sigterm()
    out, log = output_folder(a.out, 'tg4pt_rl.')
    kraken = kraken_file(Path(a.csv), a.symbol, out, log)
    name = f"rl_{a.algo}_{a.symbol.replace('/', '_').lower()}"
    with Postgres() as pg:
        url = pg.create_database('tg4pt')
        tg4_ml(['db', 'init', '--store', url], out, log)
        say(tg4_ml(['ingest', 'kraken-ohlcvt', kraken, '--symbol', a.symbol, '--store', url], out, log).stdout.strip().splitlines()[-1])
        cfg = out/'rl.toml'; cfg.write_text(toml_train({'model_name': name, 'trading': {**TRADING, 'mode': a.mode}}))
        t0 = time.time()
        tr = tg4_ml(['train', 'rl', '--symbol', a.symbol, '--store', url, '--algo', a.algo, '--timesteps', str(a.timesteps), '--config', cfg], out, log)
        say(f"trained in {time.time() - t0:.0f} s:\n" + tr.stdout.strip())
        part = json.loads(run([dev_python(), '-c', TEST_PART, out/'models', name, url, WARMUP_BARS], log, env=dev_env()).stdout.strip().splitlines()[-1])
        tester_copy = copy_tester(out/'tg4')
        ins = tg4_ml(['install-strategy', tester_copy, '--agent', f"{a.symbol}={part['ref']}", '--force'], out, log)
        say('install-strategy:\n' + ins.stdout.strip())
        printed = next((l.strip() for l in ins.stdout.splitlines() if 'backtest_runner.py' in l), '')
        toks = printed.split()
        capital = toks[toks.index('--capital') + 1] if '--capital' in toks else None
        start, end = iso_naive(part['warmup_start']), iso_naive(part['test_last_bar'])
        end = end[:-2] + '59' if end.endswith(':00') else end          # include the last test bar (runner: timestamp < end)
        bt_out = out/'backtest'
        t0 = time.time()
        p = run([tester_python(), HERE/'bt_launch.py', '--tester', tester_copy, '--record', bt_out/'record.json', '--',
                 '--strategies', 'ml_rl_v1', '--symbols', a.symbol, '--start', start, '--end', end, '--output', bt_out,
                 *(['--capital', capital] if capital else [])],
                log, env={**dev_env(), 'PYTHONPATH': str(tester_copy.parents[2]), 'DATABASE_URL': url}, cwd=tester_copy, check=False, timeout=a.timeout)
        wall = time.time() - t0
    summaries = sorted(bt_out.glob('backtest_summary_*.json'))
    summary = json.loads(summaries[-1].read_text()) if summaries else {}
    s = next((x for x in summary.get('strategies') or [] if x['name'] == 'ml_rl_v1'), None)
    rec_file = bt_out/'record.json'
    record = json.loads(rec_file.read_text()).get('ml_rl_v1') if rec_file.exists() else None
    print(f"\n===== backtest_runner.py: {part['ref']} ({a.algo}, {a.timesteps:,} timesteps) on {a.symbol} =====")
    print(f"test part: {part['test_bars']} bars {part['test_first_bar']} .. {part['test_last_bar']} (runner starts {WARMUP_BARS} bars earlier); "
          f"runner exit {p.returncode}, {wall:.0f} s wall")
    res = {'agent': part, 'exit': p.returncode, 'wall_s': wall, 'trained': tr.stdout}
    if s is None:
        print("!! no ml_rl_v1 result in backtest_summary (runner output tail below)\n" + '\n'.join(p.stdout.splitlines()[-25:]))
        res['error'] = 'no summary'
    else:
        print(f"tester: candles {s['candles_processed']}, signals {s['signals_generated']}, fills {s['total_trades']}, total P&L {s['total_pnl']:+.4f} USDT "
              f"({s['total_pnl_pct']:+.3f} %), ending capital {s.get('ending_capital')}, max drawdown {s.get('max_drawdown_pct')} %")
        res['tester'] = {k: s.get(k) for k in ('candles_processed', 'signals_generated', 'total_trades', 'total_pnl', 'total_pnl_pct', 'ending_capital', 'max_drawdown_pct')}
    if record:
        st = (record.get('state') or {}).get('tg4_ml') or {}
        books = {sym: m.get('book') for sym, m in (st.get('agents') or {}).items()}
        by = {}
        for x in record['signals']:
            k = f"{x['action']}/{(x.get('metadata') or {}).get('order')}"
            by[k] = by.get(k, 0) + 1
        print(f"calls {record['calls']} (errors raised {record['errors']}), latency per call {fmt_us(record['latency_us'])}, max {record['latency_max_us']/1000:.2f} ms")
        print(f"signals by action/order {by}; fills passed to on_fill {len(record['fills'])}; strategy: unfilled {st.get('unfilled')}, skipped {st.get('skipped')}, "
              f"errors {st.get('errors')}")
        for sym, b in books.items():
            if not b: continue
            last = part['last_close']
            equity = b['cash'] + b['qty']*last
            fill_pnl = sum(float(f.get('pnl') or 0.0) for f in record['fills'])
            print(f"the strategy's book {sym}: cash {b['cash']:.4f}, position {b['qty']:+.6g}, realised P&L {b.get('realized', float('nan')):+.6f}, fees {b['fees']:.4f}, "
                  f"round trips {b['trades']}; equity at the last test close {equity:.4f} ({equity/TRADING['initial_cash'] - 1:+.4%} of {TRADING['initial_cash']:g})")
            print(f"AGREEMENT: the tester's per-fill P&L summed {fill_pnl:+.6f} | the book's realised P&L {b.get('realized', float('nan')):+.6f} | "
                  f"the tester's ending capital {(s or {}).get('ending_capital')} | the book's cash {b['cash']:.6f}")
            res['book'] = {**b, 'equity_last_close': equity}
        res['calls'], res['latency_us'] = record['calls'], record['latency_us']
    metrics = json.loads(run([dev_python(), '-c', 'import sys, json; from tg4_ml.registry import ModelRegistry; print(json.dumps(ModelRegistry(sys.argv[1]).get(sys.argv[2]).metrics))',
                             out/'models', part['ref'].split(':')[0]], log, env=dev_env()).stdout.strip().splitlines()[-1])
    print(f"tg4_ml's research pass on the same part (TradingEnv, next-open fills): return {metrics.get('oos_total_return', float('nan')):+.4%}, "
          f"trades {metrics.get('oos_trades')}, fees {metrics.get('oos_fees_paid')}; buy-and-hold {metrics.get('oos_buy_and_hold_total_return', float('nan')):+.4%}")
    res['research'] = metrics
    write_json(out/'report.json', res)
    say(f"done: {out/'report.json'}")


if __name__ == '__main__':
    main()

"""Speed of the backtest engine: prints figures, asserts nothing about time.

    .venv/bin/python bench/backtest.py [--bars 1000000] [--compare-python /path/to/python]

Issue target: 1,000,000 bars with fees and stop-loss/take-profit in <= 0.3 s, warm. With --compare-python pointing at
an interpreter that has `vectorbt` and `backtesting` installed (they are not dependencies of tg4_ml), the same bars and
signals also run through vectorbt's Portfolio.from_signals and backtesting.py, in that interpreter, for comparison.
"""
import argparse, os, platform, subprocess, tempfile, time
from pathlib import Path

import numpy as np

from tg4_ml.data.synthetic import generate_market
from tg4_ml.eval.backtest import TradingConfig, backtest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bars', type=int, default=1_000_000)
    ap.add_argument('--compare-python')
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}")
    days = args.bars/1440*1.03 + 1
    c = generate_market(['BTC/USDT'], days=days, seed=3, include_trades=False).candles['BTC/USDT'].iloc[:args.bars]
    rng = np.random.default_rng(0)
    sig = rng.choice([-1, 0, 1], len(c), p=[0.01, 0.98, 0.01]).astype(np.int8)
    cfg = TradingConfig(mode='long_only', stop_loss_pct=1.5, take_profit_pct=3.0)     # Kraken's taker fee and 5 bps slippage: the defaults
    t0 = time.perf_counter(); backtest(c.iloc[:1000], sig[:1000], cfg); print(f"first call (numba compiles the engine): {time.perf_counter() - t0:.2f} s")
    times = []
    for _ in range(5):
        t0 = time.perf_counter(); res = backtest(c, sig, cfg); times.append(time.perf_counter() - t0)
    print(f"tg4_ml backtest, {len(c):,} bars, fees + slippage + SL/TP, long-only: best {min(times):.3f} s, median {np.median(times):.3f} s "
          f"({len(c)/min(times)/1e6:.1f} M bars/s); {res.metrics['trades']:,} trades")
    if args.compare_python:
        with tempfile.TemporaryDirectory() as d:
            f = Path(d)/'bars.npz'
            np.savez(f, open=c.open.to_numpy(), high=c.high.to_numpy(), low=c.low.to_numpy(), close=c.close.to_numpy(), signal=sig,
                     index=c.index.as_unit('us').asi8)
            subprocess.run([args.compare_python, str(Path(__file__).with_name('_compare_backtesters.py')), str(f)], check=False)


if __name__ == '__main__':
    main()

"""Latency of one position-sizer call on one CPU thread: prints figures, asserts nothing about time.

    .venv/bin/python bench/sizer_latency.py [--calls 20000] [--trades 2000]

Issue target: <= 0.5 ms per `PositionSizer.size(features)` call (one live row, a dict of the 13 sizer features), one CPU
thread. The sizer is fitted first on synthetic trades (a few seconds), so the weights are a trained model's, not zeros.
Also printed: the same row through the torch forward (`size_batch` of a one-row frame), and `input_row` (building the 13
inputs from the market part, the probabilities and the portfolio state), which the live strategy calls before `size`.
"""
import argparse, os, platform, time

import numpy as np
import pandas as pd
import torch

from tg4_ml.eval.backtest import TradingConfig
from tg4_ml.features.sizer import SIZER_FEATURES, SIZER_MARKET, PortfolioState
from tg4_ml.train.sizer import SizerFitConfig, fit_sizer


def timed(fn, rows, calls: int) -> np.ndarray:
    "Seconds per call over `calls` calls cycling through `rows`."
    out = np.empty(calls)
    for i in range(calls):
        r = rows[i % len(rows)]
        t0 = time.perf_counter(); fn(r); out[i] = time.perf_counter() - t0
    return out


def show(name: str, s: np.ndarray):
    us = s*1e6
    print(f"{name:<42} median {np.median(us):8.1f} us   p99 {np.percentile(us, 99):8.1f} us   max {us.max():8.1f} us")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--calls', type=int, default=20_000)
    ap.add_argument('--trades', type=int, default=2_000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__} "
          f"(1 thread); load average {os.getloadavg()[0]:.1f}")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(args.trades, 13)), columns=list(SIZER_FEATURES))
    r = (X['signal_classifier_prob'].to_numpy())*0.004 + rng.normal(0, 0.005, args.trades)
    cut = int(args.trades*0.8)
    t0 = time.perf_counter()
    sizer = fit_sizer(X.iloc[:cut], r[:cut], X.iloc[cut:], r[cut:], leverage=0.1, config=SizerFitConfig(loop={'epochs': 200}))
    print(f"fit on {cut} trades: {time.perf_counter() - t0:.2f} s, {sizer.meta['epochs_run']} epochs")
    rows = X.iloc[:1000].to_dict('records')
    frames = [X.iloc[[i]] for i in range(200)]
    for f in rows[:100]: sizer.size(f)                                      # warm
    show('size(dict)  [numpy forward]', timed(sizer.size, rows, args.calls))
    show('size_batch(1-row frame)  [torch forward]', timed(sizer.size_batch, frames, min(args.calls, 5000)))
    trading = TradingConfig(fee_rate=0.0005, slippage_bps=2)
    state = PortfolioState(9_900, 10_000, 1, {})
    market = [dict(zip(SIZER_MARKET, rng.normal(size=len(SIZER_MARKET)))) for _ in range(100)]
    probs = {'buy': 0.6, 'sell': 0.1, 'hold': 0.3}
    build = lambda m: sizer.input_row(m, probs, 'buy', state, 'XRP/USDT', trading)
    show('input_row (13 inputs from market + state)', timed(build, market, args.calls))
    show('input_row + size', timed(lambda m: sizer.size(build(m)), market, args.calls))
    big = pd.concat([X]*5, ignore_index=True)
    t0 = time.perf_counter(); sizer.size_batch(big); dt = time.perf_counter() - t0
    print(f"size_batch of {len(big):,} rows: {dt*1e3:.1f} ms ({dt/len(big)*1e6:.2f} us a row)")
    print("target: <= 500 us per size() call")


if __name__ == '__main__':
    main()

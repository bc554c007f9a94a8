"""Latency of the TFT's live path on ONE CPU thread: prints figures, asserts nothing about time.

    .venv/bin/python bench/tft_latency.py [--snapshots 300] [--hidden 32]

`QuantileForecaster.predict_live(snapshot, symbol)` for the default-size model (window 60, horizon 15, hidden 32,
4 heads, quantiles 10/50/90%): the sequence features of the snapshot's newest window (`sequence_window_live`),
normalisation, the calendar of the window and the 15 future minutes, and one forward pass. Issue target: p99 <= 20 ms.
Weights are a fresh initialisation (a forward pass costs the same whatever the weights); spec and normaliser are fitted
on the synthetic market's first days as in training.
"""
import argparse, os, platform, time

import numpy as np
import pandas as pd
import torch

from tg4_ml.data.bars import complete_minutes
from tg4_ml.data.snapshots import snapshot_at
from tg4_ml.data.synthetic import generate_market
from tg4_ml.features.classifier import fit_feature_spec
from tg4_ml.features.normalize import Normaliser
from tg4_ml.features.sequence import SEQUENCE_FEATURES, sequence_features
from tg4_ml.models.tft import (QuantileForecaster, TemporalFusionTransformer, TFTConfig, count_parameters, fit_target_scale,
                               forward_log_returns)


def percentiles(times):
    t = np.array(times)*1e3
    return f"p50 {np.percentile(t, 50):6.2f} ms   p99 {np.percentile(t, 99):6.2f} ms   max {t.max():6.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--snapshots', type=int, default=300)
    ap.add_argument('--hidden', type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} torch thread")
    m = generate_market(['BTC/USDT'], days=4, seed=1)
    raw = m.candles['BTC/USDT']
    grid = complete_minutes(raw)
    train = grid.iloc[:3000]
    spec = fit_feature_spec(train)
    norm = Normaliser().fit(sequence_features(train, spec)[list(SEQUENCE_FEATURES)].iloc[400:])
    cfg = TFTConfig(hidden=args.hidden)
    torch.manual_seed(0)
    fc = QuantileForecaster(TemporalFusionTransformer(cfg), cfg, spec, norm, fit_target_scale(forward_log_returns(train.close, cfg.horizon)[:-cfg.horizon]),
                            ['BTC/USDT'])
    print(f"model: {fc}")
    rng = np.random.default_rng(0)
    ends = rng.integers(1000, len(grid) - 1, args.snapshots)
    snaps = [snapshot_at(grid.index[i] + pd.Timedelta('61s'), {'BTC/USDT': raw}) for i in ends]   # gappy tape, 400 1m candles as live
    for s in snaps[:10]: fc.predict_live(s, 'BTC/USDT')                                           # warm-up
    t_live, t_input, t_forward = [], [], []
    for s in snaps:
        t0 = time.perf_counter(); fc.predict_live(s, 'BTC/USDT'); t_live.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); x = fc.live_input(s, 'BTC/USDT'); t_input.append(time.perf_counter() - t0)
        u, k, sym = torch.from_numpy(x['unknown'][None]), torch.from_numpy(x['known'][None]), torch.tensor([x['symbol']])
        with torch.inference_mode():
            t0 = time.perf_counter(); fc.net(u, k, sym); t_forward.append(time.perf_counter() - t0)
    print(f"\n{args.snapshots} snapshots, one symbol, 1 thread ({count_parameters(fc.net):,} parameters)")
    print(f"  predict_live (features + forward)   {percentiles(t_live)}")
    print(f"    live_input (features, calendar)   {percentiles(t_input)}")
    print(f"    forward pass, one sample          {percentiles(t_forward)}")
    p99 = np.percentile(np.array(t_live)*1e3, 99)
    print(f"\ntarget p99 <= 20 ms: {'met' if p99 <= 20 else 'NOT met'} ({p99:.2f} ms)")


if __name__ == '__main__':
    main()

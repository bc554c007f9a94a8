"""Live latency of the deep models on ONE CPU thread: prints figures, asserts nothing about time.

    python bench/deep_latency.py [--calls 1000] [--models lstm] [--load [N]]

One function per model (`BENCHES`; the TFT and the sizer can add theirs). Each times, per call and per symbol:
- the full live path, `predict_live(snapshot, symbol)` on a paper-tester live snapshot (400 closed 1m candles):
  features from the snapshot (`sequence_window_live`), normalisation, forward, softmax, the per-horizon dict;
- its parts: the live input alone (features + normalisation) and the forward alone on a prepared (1, window, 10) tensor,
  as `predict_live` runs it (a frozen TorchScript trace) and for comparison the eager network, with the full 60x60
  attention instead of the newest query only, and its LSTM layers alone; and the cost per window of several windows in
  one forward (several symbols at once).
`torch.set_num_threads(1)`; after a warm-up, p50/p90/p99/max of the wall-clock time and p50/p99 of the process's CPU
time (on a shared machine the wall-clock figures include waiting for a core, the CPU figures are the model's own cost).
The networks are full size with random weights (the latency does not depend on the weights); the snapshots come from a
synthetic market. Issue target: p99 <= 5 ms per symbol for the full live path.

`--load N` runs N busy processes during the measurement (default with no N: one per core).
"""
import argparse, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

SYMBOL = 'BTC/USDT'


def percentiles(times: list) -> str:
    "Wall-clock and CPU percentiles of (wall, cpu) pairs in seconds."
    t = np.array(times)*1e3
    w, c = np.percentile(t[:, 0], [50, 90, 99]), np.percentile(t[:, 1], [50, 99])
    return (f"wall p50 {w[0]:.3f} ms, p90 {w[1]:.3f} ms, p99 {w[2]:.3f} ms, max {t[:, 0].max():.1f} ms; "
            f"CPU p50 {c[0]:.3f} ms, p99 {c[1]:.3f} ms")


def timed(fn, args_list, calls: int, warmup: int = 50) -> list:
    "(wall, cpu) seconds of `fn(*args)` for `calls` calls cycling through `args_list`, after `warmup` untimed calls."
    for i in range(warmup): fn(*args_list[i % len(args_list)])
    out = []
    for i in range(calls):
        a = args_list[i % len(args_list)]
        c0, t0 = time.process_time(), time.perf_counter()
        fn(*a)
        out.append((time.perf_counter() - t0, time.process_time() - c0))
    return out


def market_and_snapshots(n_snapshots: int = 200, seed: int = 5):
    "A synthetic market of one symbol, its completed grid, a feature spec and normaliser fitted on its first 3000 minutes, and live snapshots at successive minutes."
    import pandas as pd
    from tg4_ml.data.bars import complete_minutes
    from tg4_ml.data.snapshots import snapshot_at
    from tg4_ml.features.classifier import fit_feature_spec
    from tg4_ml.features.normalize import Normaliser
    from tg4_ml.features.sequence import SEQUENCE_FEATURES, sequence_features
    from tg4_ml.testing import small_market
    mk = small_market([SYMBOL], days=4, seed=seed, signal_strength=1.0)
    grid = complete_minutes(mk.candles[SYMBOL])
    spec = fit_feature_spec(grid.iloc[:3000])
    norm = Normaliser().fit(sequence_features(grid.iloc[:3000], spec)[list(SEQUENCE_FEATURES)].dropna())
    real = mk.candles[SYMBOL].index
    snaps = [snapshot_at(t + pd.Timedelta('1s'), mk.candles) for t in real[3000:3000 + n_snapshots]]   # the candle opened at t closes the one before
    return grid, spec, norm, snaps


def bench_lstm(calls: int, data) -> None:
    "PriceDirectionLSTM at full size (hidden 128, 2 layers, 4 heads, horizons 5/15/60)."
    import torch
    from tg4_ml.models.lstm import DirectionModel, LSTMConfig, PriceDirectionLSTM
    from tg4_ml.types import to_utc
    torch.set_num_threads(1); torch.manual_seed(0)
    grid, spec, norm, snaps = data
    model = DirectionModel(PriceDirectionLSTM(LSTMConfig()), spec, norm).warm_up()
    n_snap = len(snaps[0].candles_1m[SYMBOL])
    print(f"LSTM {model.config}: {sum(p.numel() for p in model.net.parameters()):,} parameters; live snapshots of {n_snap} closed 1m candles "
          f"(the model needs {model.min_history} minutes on the completed grid)")
    # the answer is the batch answer (what the notebook tests), checked here on the benchmark's own snapshots too
    xs = model.batch_inputs(grid)
    worst = 0.0
    for s in snaps[:20]:
        p = grid.index.get_loc(to_utc(s.candles_1m[SYMBOL][-1].timestamp))
        live, batch = model.predict_live(s, SYMBOL), model.predict_proba(xs[None, p - 59:p + 1])[0]
        worst = max(worst, max(abs(live[h]['buy_probability'] - batch[j, 0]) for j, h in enumerate(model.config.horizons)))
    print(f"  live vs batch on 20 snapshots: largest |buy probability difference| {worst:.1e}")
    live = timed(model.predict_live, [(s, SYMBOL) for s in snaps], calls)
    print(f"  predict_live (features + normalisation + forward), {calls:,} calls: {percentiles(live)}")
    inputs = timed(model.live_input, [(s, SYMBOL) for s in snaps], calls)
    print(f"  live_input only (features + normalisation),       {calls:,} calls: {percentiles(inputs)}")
    xt = [(torch.from_numpy(model.live_input(s, SYMBOL)[None]),) for s in snaps[:50]]
    live_net = model._live_net()
    def served(x):
        with torch.inference_mode(): return live_net(x)
    print(f"  forward only, as predict_live runs it (trace),     {calls:,} calls: {percentiles(timed(served, xt, calls))}")
    def forward(x):
        with torch.inference_mode(): return model.net(x)
    print(f"  forward only, the eager network (newest query),    {calls:,} calls: {percentiles(timed(forward, xt, calls))}")
    def forward_full(x):
        with torch.inference_mode(): return model.net(x, return_attention=True)
    print(f"  forward with the full 60x60 attention (for scale), {calls:,} calls: {percentiles(timed(forward_full, xt, calls))}")
    def lstm_only(x):
        with torch.inference_mode(): return model.net.lstm(x)
    print(f"  of which the LSTM layers alone,                    {calls:,} calls: {percentiles(timed(lstm_only, xt, calls))}")
    for n in (4, 16):                     # several symbols in one forward: the cost per window falls
        batch = torch.from_numpy(np.stack([x[0][0].numpy() for x in xt[:n]]))
        t = np.array(timed(forward, [(batch,)], max(calls//5, 100), warmup=10))
        print(f"  forward of {n} windows at once, per window: wall p50 {np.percentile(t[:, 0], 50)*1e3/n:.3f} ms, CPU p50 {np.percentile(t[:, 1], 50)*1e3/n:.3f} ms")


BENCHES = {'lstm': bench_lstm}


def busy(stop_file: str) -> None:
    while not os.path.exists(stop_file):
        for _ in range(100_000): pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--calls', type=int, default=1000, help='timed calls per measurement (>= 500 for a p99)')
    ap.add_argument('--models', nargs='+', default=list(BENCHES), choices=list(BENCHES))
    ap.add_argument('--load', type=int, nargs='?', const=os.cpu_count(), default=0, help='busy processes during the measurement')
    args = ap.parse_args()
    import torch
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"torch {torch.__version__}; load: {args.load} busy processes; os.getloadavg() {os.getloadavg()[0]:.2f}")
    t0 = time.time()
    data = market_and_snapshots()
    print(f"market and snapshots prepared in {time.time() - t0:.0f} s")
    stop_file = tempfile.mktemp(prefix='tg4_bench_stop_')
    workers = [subprocess.Popen([sys.executable, '-c', f'import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); '
                                 f'from deep_latency import busy; busy({stop_file!r})']) for _ in range(args.load)]
    try:
        if workers: time.sleep(1.0)
        for name in args.models: BENCHES[name](args.calls, data)
    finally:
        Path(stop_file).touch()
        for w in workers: w.wait()
        Path(stop_file).unlink(missing_ok=True)


if __name__ == '__main__':
    main()

"""Our compact TFT (`tg4_ml.models.tft`) beside pytorch-forecasting's on the same data and training budget: prints figures.

    .venv/bin/python bench/tft_compare.py                      # driver: makes the data, runs both sides, prints the table
    .venv/bin/python bench/tft_compare.py --steps 1000 --days 12 --pf-python /tmp/pf_venv/bin/python

pytorch-forecasting lives in its own virtual environment (it pins pandas<3.1 and brings lightning, scikit-learn and
torchmetrics; ours has pandas 3.1), made once with:

    python3.11 -m venv /tmp/pf_venv
    /tmp/pf_venv/bin/pip install torch==2.13.0 pytorch-forecasting==1.8.0   # CPU torch: --index-url https://download.pytorch.org/whl/cpu

The driver (our environment) builds one synthetic market (`generate_market`, stylised facts: volatility clustering, fat
tails), the ten normalised sequence features, the calendar and the log closes, writes them to `--workdir/data.npz`, and
runs `--side ours` (this environment) and `--side pf` (`--pf-python`) on them. Both sides see the same inputs (the ten
features over the 60-bar window, the calendar over window + 15 future minutes, the symbol), forecast the 10/50/90%
quantiles of the forward log return ln(C[t+k]/C[t]), k = 1..15, from the same training anchors (the first 70% of the
bars, targets inside it) and are scored on the same test anchors (the rest). pytorch-forecasting forecasts its target
series itself, so its target is the log close (its default EncoderNormalizer, target scales as inputs, the log close
also an encoder input as its docs do); its quantiles of ln C[t+k] minus ln C[t] are the forward-return quantiles.

Training budget, the same on both sides: the same number of optimiser steps (--steps) of Adam with the same batch size,
learning rate, dropout 0.1 and gradient clipping at 1.0, on one CPU thread each, no early stopping. The parameter counts
are printed (pytorch-forecasting's hidden size is chosen to come close to ours). Latency: one sample, one thread, the
raw forward pass (p50/p99 over 200 samples), our `predict_quantiles` on one window, and pytorch-forecasting's high-level
`predict` on a one-window DataFrame (it builds a dataset and a Lightning trainer per call).
"""
import argparse, json, os, platform, subprocess, sys, time, warnings
from pathlib import Path

import numpy as np

WINDOW, HORIZON, QUANTILES = 60, 15, (0.1, 0.5, 0.9)
FEATURES = ('log_return', 'range_pct', 'body_pct', 'volume_zscore', 'rsi_14', 'macd_histogram', 'atr_pct', 'trade_imbalance', 'hour_sin', 'hour_cos')
KNOWN = ('hour_sin', 'hour_cos', 'dow_sin', 'dow_cos')


def ms(times) -> dict:
    t = np.asarray(times)*1e3
    return {'p50': float(np.percentile(t, 50)), 'p99': float(np.percentile(t, 99))}


# ---------------------------------------------------------------- data (our environment)
def make_data(workdir: Path, days: int, seed: int) -> dict:
    from tg4_ml.data.bars import complete_minutes
    from tg4_ml.data.synthetic import generate_market
    from tg4_ml.features.classifier import fit_feature_spec
    from tg4_ml.features.normalize import Normaliser
    from tg4_ml.features.sequence import SEQUENCE_FEATURES, sequence_features
    from tg4_ml.models.tft import calendar_features, forward_log_returns
    assert tuple(SEQUENCE_FEATURES) == FEATURES
    grid = complete_minutes(generate_market(['BTC/USDT'], days=days, seed=seed).candles['BTC/USDT'])
    n = len(grid); train_end = int(0.7*n)
    spec = fit_feature_spec(grid.iloc[:train_end])
    seq = sequence_features(grid, spec)[list(FEATURES)]
    bad = np.flatnonzero(~np.isfinite(seq.to_numpy()).all(axis=1))
    first = int(bad.max()) + 1 if len(bad) else 0           # warm-up rows end here (no NaN after it)
    norm = Normaliser().fit(seq.iloc[first:train_end])
    unknown = np.array(norm.transform(seq), np.float32)
    known = calendar_features(grid.index).astype(np.float32)
    log_close = np.log(grid.close.to_numpy(float))
    targets = forward_log_returns(grid.close, HORIZON)
    train_anchors = np.arange(first + WINDOW - 1, train_end - HORIZON)      # windows after the warm-up, futures inside the training part
    test_anchors = np.arange(train_end, n - HORIZON)                        # futures after the training part
    np.savez(workdir/'data.npz', unknown=unknown, known=known, log_close=log_close, targets=targets, first=first, train_end=train_end,
             train_anchors=train_anchors, test_anchors=test_anchors)
    (workdir/'data.json').write_text(json.dumps({'spec': spec.to_dict(), 'normaliser': norm.to_dict()}))
    return {'bars': n, 'filled': int(grid.filled.sum()), 'train_anchors': len(train_anchors), 'test_anchors': len(test_anchors), 'warm_up': first}


# ---------------------------------------------------------------- our side
def run_ours(workdir: Path, steps: int, batch: int, lr: float, hidden: int, seed: int) -> dict:
    import torch
    from tg4_ml.features.classifier import FeatureSpec
    from tg4_ml.features.normalize import Normaliser
    from tg4_ml.models.tft import (QuantileForecaster, TemporalFusionTransformer, TFTConfig, count_parameters, fit_target_scale,
                                   tft_loss, tft_windows)
    torch.set_num_threads(1); torch.manual_seed(seed)
    d = np.load(workdir/'data.npz'); side = json.loads((workdir/'data.json').read_text())
    inputs = {'unknown': d['unknown'], 'known': d['known']}
    tr, te = d['train_anchors'], d['test_anchors']
    scale = fit_target_scale(d['targets'][tr])
    cfg = TFTConfig(hidden=hidden, heads=4, dropout=0.1, quantiles=QUANTILES, window=WINDOW, horizon=HORIZON)
    net = TemporalFusionTransformer(cfg)
    model = QuantileForecaster(net, cfg, FeatureSpec.from_dict(side['spec']), Normaliser.from_dict(side['normaliser']), scale, ['BTC/USDT'])
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    target = (d['targets']/scale).astype(np.float32)
    net.train(); t0 = time.perf_counter()
    for step in range(steps):                       # random batches of training windows (as a shuffled loader would give)
        i = tr[rng.integers(0, len(tr), batch)]
        w = tft_windows(inputs, i, WINDOW, HORIZON)
        loss = tft_loss(net, {'unknown': torch.from_numpy(w['unknown']), 'known': torch.from_numpy(w['known']),
                              'symbol': torch.zeros(batch, dtype=torch.long), 'target': torch.from_numpy(target[i])})
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0); opt.step()
    train_s = time.perf_counter() - t0
    net.eval()
    w = tft_windows(inputs, te, WINDOW, HORIZON)
    t0 = time.perf_counter(); q = model.predict_quantiles(w['unknown'], w['known'], np.zeros(len(te), np.int64)); predict_s = time.perf_counter() - t0
    np.savez(workdir/'ours.npz', anchors=te, quantiles=q)
    raw, high = [], []
    with torch.inference_mode():
        for j in range(200):
            u, k, s = torch.from_numpy(w['unknown'][j:j + 1].copy()), torch.from_numpy(w['known'][j:j + 1].copy()), torch.zeros(1, dtype=torch.long)
            t0 = time.perf_counter(); net(u, k, s); raw.append(time.perf_counter() - t0)
    for j in range(200):
        t0 = time.perf_counter(); model.predict_quantiles(w['unknown'][j:j + 1], w['known'][j:j + 1], [0]); high.append(time.perf_counter() - t0)
    return {'parameters': count_parameters(net), 'train_s': train_s, 'test_predict_s': predict_s, 'forward_ms': ms(raw), 'predict_ms': ms(high),
            'predict_call': 'predict_quantiles (arrays in)', 'hidden': hidden}


# ---------------------------------------------------------------- pytorch-forecasting's side (its own environment; no tg4_ml here)
def run_pf(workdir: Path, steps: int, batch: int, lr: float, hidden: int, seed: int) -> dict:
    import logging
    warnings.filterwarnings('ignore'); logging.getLogger('lightning').setLevel(logging.ERROR); logging.getLogger('lightning.pytorch').setLevel(logging.ERROR)
    import pandas as pd
    import torch
    import lightning.pytorch as pl
    from pytorch_forecasting import TemporalFusionTransformer, TimeSeriesDataSet
    from pytorch_forecasting.data import EncoderNormalizer
    from pytorch_forecasting.metrics import QuantileLoss
    import pytorch_forecasting
    torch.set_num_threads(1); pl.seed_everything(seed, verbose=False)
    d = np.load(workdir/'data.npz')
    first, train_end = int(d['first']), int(d['train_end'])
    frame = pd.DataFrame(d['unknown'][first:], columns=list(FEATURES))
    for j, name in enumerate(KNOWN): frame[f'cal_{name}'] = d['known'][first:, j]
    frame['log_close'] = d['log_close'][first:]
    frame['time_idx'] = np.arange(first, len(d['log_close']))
    frame['symbol'] = 'BTC/USDT'
    known_cols = [f'cal_{k}' for k in KNOWN]
    train_ds = TimeSeriesDataSet(frame[frame.time_idx < train_end], time_idx='time_idx', target='log_close', group_ids=['symbol'],
                                 max_encoder_length=WINDOW, min_encoder_length=WINDOW, max_prediction_length=HORIZON, min_prediction_length=HORIZON,
                                 static_categoricals=['symbol'], time_varying_known_reals=known_cols,
                                 time_varying_unknown_reals=list(FEATURES) + ['log_close'], target_normalizer=EncoderNormalizer(),
                                 add_relative_time_idx=True, add_target_scales=True, add_encoder_length=False)
    test_ds = TimeSeriesDataSet.from_dataset(train_ds, frame, min_prediction_idx=train_end + 1, stop_randomization=True)
    class TFT(TemporalFusionTransformer):
        def configure_optimizers(self):          # plain Adam as on our side (its default adds a plateau scheduler on a validation loss we do not run)
            return torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)
    model = TFT.from_dataset(train_ds, hidden_size=hidden, attention_head_size=4, dropout=0.1, hidden_continuous_size=8,
                                                   loss=QuantileLoss(list(QUANTILES)), learning_rate=lr, optimizer='adam',
                                                   log_interval=-1)
    trainer = pl.Trainer(max_steps=steps, max_epochs=-1, accelerator='cpu', devices=1, gradient_clip_val=1.0, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    loader = train_ds.to_dataloader(train=True, batch_size=batch, num_workers=0)
    t0 = time.perf_counter(); trainer.fit(model, train_dataloaders=loader); train_s = time.perf_counter() - t0
    model.eval()
    lc = d['log_close']
    anchors, qs = [], []
    t0 = time.perf_counter()
    with torch.no_grad():
        for x, _ in test_ds.to_dataloader(train=False, batch_size=512, num_workers=0):
            q = model.to_quantiles(model(x)).numpy()                          # (B, H, 3) quantiles of ln C[t+k]
            a = x['decoder_time_idx'][:, 0].numpy() - 1                       # the anchor t: the newest bar of the encoder
            anchors.append(a); qs.append(q - lc[a][:, None, None])
    predict_s = time.perf_counter() - t0
    anchors, qs = np.concatenate(anchors), np.concatenate(qs)
    order = np.argsort(anchors)
    np.savez(workdir/'pf.npz', anchors=anchors[order], quantiles=qs[order])
    raw = []
    one = test_ds.to_dataloader(train=False, batch_size=1, num_workers=0)
    with torch.no_grad():
        for j, (x, _) in enumerate(one):
            if j == 200: break
            t0 = time.perf_counter(); model(x); raw.append(time.perf_counter() - t0)
    high = []
    for a in d['test_anchors'][:30]:
        rows = frame[(frame.time_idx > a - WINDOW) & (frame.time_idx <= a + HORIZON)]      # one encoder window + the known future
        t0 = time.perf_counter()
        model.predict(rows, mode='quantiles', trainer_kwargs=dict(logger=False, enable_progress_bar=False, enable_model_summary=False))
        high.append(time.perf_counter() - t0)
    return {'parameters': sum(p.numel() for p in model.parameters()), 'train_s': train_s, 'test_predict_s': predict_s, 'forward_ms': ms(raw),
            'predict_ms': ms(high[3:]), 'predict_call': 'predict(one-window DataFrame)', 'hidden': hidden, 'version': pytorch_forecasting.__version__,
            'pandas': pd.__version__}


# ---------------------------------------------------------------- driver
def pinball(pred, y):
    q = np.asarray(QUANTILES); e = y[..., None] - pred
    return float(np.maximum(q*e, (q - 1)*e).mean())


def table(work: Path, steps: int):
    "The side-by-side table from the files both sides wrote."
    d = np.load(work/'data.npz')
    y_all, tr = d['targets'], d['train_anchors']
    naive = np.quantile(y_all[tr], QUANTILES, axis=0).T                    # (H, 3) unconditional training quantiles
    rows = {}
    for side in ('ours', 'pf'):
        res = json.loads((work/f'{side}.json').read_text()); p = np.load(work/f'{side}.npz')
        if not np.array_equal(p['anchors'], d['test_anchors']): sys.exit(f"{side}: test anchors differ from the data's")
        q, y = p['quantiles'], y_all[p['anchors']]
        rows[side] = {**res, 'loss_bp': pinball(q, y)*1e4, 'coverage': float(((y >= q[..., 0]) & (y <= q[..., 2])).mean()),
                      'crossing': float((np.diff(q, axis=-1) < 0).any(-1).mean()), 'naive_bp': pinball(np.broadcast_to(naive, q.shape), y)*1e4,
                      'naive_coverage': float(((y >= naive[:, 0]) & (y <= naive[:, 2])).mean())}
    o, f = rows['ours'], rows['pf']
    print(f"\n{'':46}{'ours (tg4_ml.models.tft)':>32}{'pytorch-forecasting ' + f['version']:>32}")
    line = lambda name, a_, b_: print(f"{name:46}{a_:>32}{b_:>32}")
    line('hidden size', str(o['hidden']), str(f['hidden']))
    line('parameters', f"{o['parameters']:,}", f"{f['parameters']:,}")
    line(f"training seconds ({steps} steps, 1 thread)", f"{o['train_s']:.1f}", f"{f['train_s']:.1f}")
    line('test quantile loss (bp of log return)', f"{o['loss_bp']:.3f}", f"{f['loss_bp']:.3f}")
    line('  naive: training quantiles per step', f"{o['naive_bp']:.3f}", f"{f['naive_bp']:.3f}")
    line('coverage of the 10-90% band (target 80%)', f"{o['coverage']:.1%}", f"{f['coverage']:.1%}")
    line('  naive: coverage', f"{o['naive_coverage']:.1%}", f"{f['naive_coverage']:.1%}")
    line('forecasts with crossing quantiles', f"{o['crossing']:.2%}", f"{f['crossing']:.2%}")
    line('raw forward, 1 sample: p50 / p99 ms', f"{o['forward_ms']['p50']:.2f} / {o['forward_ms']['p99']:.2f}", f"{f['forward_ms']['p50']:.2f} / {f['forward_ms']['p99']:.2f}")
    line('high-level predict, 1 sample: p50 / p99 ms', f"{o['predict_ms']['p50']:.2f} / {o['predict_ms']['p99']:.2f}", f"{f['predict_ms']['p50']:.2f} / {f['predict_ms']['p99']:.2f}")
    line('  (call)', o['predict_call'], f['predict_call'])
    line(f"test set prediction ({len(d['test_anchors']):,} windows), s", f"{o['test_predict_s']:.2f}", f"{f['test_predict_s']:.2f}")
    print(f"\npytorch-forecasting's environment: pandas {f['pandas']} (ours: {__import__('pandas').__version__})")



def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--side', choices=('both', 'ours', 'pf'), default='both')
    ap.add_argument('--workdir', default='/tmp/tft_compare')
    ap.add_argument('--pf-python', default='/tmp/pf_venv/bin/python')
    ap.add_argument('--days', type=int, default=12)
    ap.add_argument('--steps', type=int, default=1000)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--hidden', type=int, default=32, help='our hidden size')
    ap.add_argument('--pf-hidden', type=int, default=32, help="pytorch-forecasting's hidden size")
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--table-only', action='store_true', help='print the table again from the files of the last run in --workdir')
    a = ap.parse_args()
    work = Path(a.workdir); work.mkdir(parents=True, exist_ok=True)
    if a.table_only: return table(work, a.steps)
    if a.side != 'both':
        fn = run_ours if a.side == 'ours' else run_pf
        res = fn(work, a.steps, a.batch, a.lr, a.hidden if a.side == 'ours' else a.pf_hidden, a.seed)
        (work/f'{a.side}.json').write_text(json.dumps(res)); return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; both sides on 1 torch thread")
    info = make_data(work, a.days, a.seed)
    print(f"data: generate_market BTC/USDT {a.days} days seed {a.seed}: {info['bars']:,} minutes ({info['filled']:,} filled), warm-up {info['warm_up']}, "
          f"{info['train_anchors']:,} training anchors, {info['test_anchors']:,} test anchors; budget {a.steps} Adam steps x {a.batch} windows, lr {a.lr}")
    common = ['--workdir', str(work), '--days', str(a.days), '--steps', str(a.steps), '--batch', str(a.batch), '--lr', str(a.lr),
              '--hidden', str(a.hidden), '--pf-hidden', str(a.pf_hidden), '--seed', str(a.seed)]
    for side, python in (('ours', sys.executable), ('pf', a.pf_python)):
        t0 = time.perf_counter()
        r = subprocess.run([python, __file__, '--side', side, *common], capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
        if r.returncode: sys.exit(f"--side {side} failed:\n{r.stderr[-3000:]}")
        print(f"  {side} side done in {time.perf_counter() - t0:.0f} s")
    table(work, a.steps)

if __name__ == '__main__':
    main()

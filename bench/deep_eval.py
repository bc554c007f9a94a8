"""Full-size out-of-sample runs of the deep models (tg4_ml.train.deep): the tables of the closing note.

    python bench/deep_eval.py [--days 20] [--epochs 2] [--max-batches 12] [--tft-epochs 2] [--real PATH] [--device auto]

1. LSTM, default architecture (LSTMConfig: BiLSTM 128 x 2, attention, horizons 5/15/60), on the planted-edge sample
   (`sample_market(days)`: EDGE/USDT, strength 12), per horizon out of sample: the LSTM beside the majority and
   persistence baselines, the XGBoost classifier trained on the same split and labels, and the oracle's ceiling (the
   same classifier on the generator's hidden truth, `planted_truth`, as `tg4_ml.train.pipeline.oracle_ceiling` does);
   then the backtest of the 15-minute signals after fees beside the classifier's.
2. The same on the real sample (Binance BTC/USDT 1-minute candles, 2023-03-01..21) read with `read_candles_csv` into a
   temporary ParquetStore (no oracle: the truth is unknown).
3. TFT, default architecture (TFTConfig: hidden 32, 15 steps, quantiles 0.1/0.5/0.9), on the planted sample (and the
   real one with --tft-real): quantile loss per step beside the naive unconditional quantiles, coverage of the 10-90% band.

On a CPU the sizes are modest (a few epochs of `--max-batches` batches of 256 windows; `--max-batches 0` = whole
epochs); on CUDA give `--device cuda --max-batches 0 --epochs 20`. Everything is written to a temporary folder that
is removed at the end. Prints figures only; asserts nothing.
"""
import argparse, shutil, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tg4_ml.core import real_data_dir
from tg4_ml.data.kraken import read_candles_csv
from tg4_ml.data.store import open_store
from tg4_ml.data.synthetic import planted_truth
from tg4_ml.eval.metrics import classification_metrics
from tg4_ml.features.classifier import FeatureSpec
from tg4_ml.models.classifier import SignalClassifier
from tg4_ml.train.deep import DeepTrainConfig, train_lstm, train_tft
from tg4_ml.train.pipeline import sample_market

REAL = 'binance_BTCUSDT_1m_2023-03-01_2023-03-21.csv'
fmt = lambda v: '' if pd.isna(v) else f'{v:.4g}'


def oracle_accuracy(market, data, seed: int) -> dict:
    "Per horizon: accuracy on the run's test anchors of the classifier trained on the hidden truth, same anchors and labels."
    truth = planted_truth(market, data.symbol).reindex(data.candles.index)
    spec = FeatureSpec(names=tuple(truth.columns), vpin_bucket_volume=1.0)
    ok = np.isfinite(truth.to_numpy(float)).all(axis=1)
    tr, va, te = (data.anchors[p][ok[data.anchors[p]]] for p in ('train', 'val', 'test'))
    out = {}
    for j, h in enumerate(data.horizons):
        y = pd.Series(data.targets[:, j], index=truth.index)
        clf = SignalClassifier(spec, 'xgboost', seed=seed).fit(truth.iloc[tr], y.iloc[tr], truth.iloc[va], y.iloc[va])
        out[h] = classification_metrics(y.iloc[te].to_numpy().astype(int), clf.predict_proba(truth.iloc[te]))['accuracy']
    return out


def lstm_report(title: str, res, oracle: dict | None = None):
    t = res.table.copy()
    if oracle is not None: t['oracle'] = t['horizon'].map(oracle)
    cols = ['horizon', 'test rows', 'accuracy', 'majority', 'persistence', 'classifier'] + (['oracle'] if oracle is not None else []) + \
           ['macro F1', 'classifier F1', 'log-loss', 'prior log-loss', 'classifier log-loss']
    f = res.fit
    print(f"\n== {title}: LSTM {res.model.config.hidden}x{res.model.config.layers}, window {res.model.config.window}; "
          f"{res.data.info['anchors']} anchors; best epoch {f.best_epoch} of {f.epochs_run} (val loss {f.best_val_loss:.4f}); "
          f"device {f.device}, AMP {f.amp}; {sum(res.timings.values()):.0f} s ({res.timings})")
    print("out of sample (test anchors), accuracy / macro F1 / log-loss; majority = training majority class, prior log-loss = training class frequencies:")
    print(t[[c for c in cols if c in t.columns]].to_string(index=False, float_format=fmt))
    print("backtest of the test part after fees (15-minute signals, confidence threshold %.2f):" % res.config.trading.confidence_threshold)
    print(res.backtest_table.to_string(index=False, float_format=fmt))
    print("per-epoch losses:", [(h['epoch'], round(h['train_loss'], 4), round(h['val_loss'], 4)) for h in f.history])


def tft_report(title: str, res):
    f, t = res.fit, res.table
    print(f"\n== {title}: TFT hidden {res.model.config.hidden}, window {res.model.config.window}, {res.model.config.horizon} steps, "
          f"quantiles {res.model.config.quantiles}; {res.data.info['anchors']} anchors; best epoch {f.best_epoch} of {f.epochs_run}; "
          f"device {f.device}; {sum(res.timings.values()):.0f} s")
    print("out of sample (test anchors): pinball loss in bp of log return, model vs naive (training unconditional quantiles per step); skill = 1 - model/naive:")
    print(t.to_string(index=False, float_format=fmt))
    m = res.metrics
    print(f"mean over steps: model {m['quantile_loss_bp']:.4g} bp, naive {m['naive_quantile_loss_bp']:.4g} bp, skill {m['skill']:.4g}; "
          f"coverage {m['coverage']:.3f} (naive {m['naive_coverage']:.3f})")
    imp = {k.removeprefix('importance_'): v for k, v in m.items() if k.startswith('importance_')}
    print("encoder variable-selection weights:", ', '.join(f'{k} {v:.3f}' for k, v in sorted(imp.items(), key=lambda kv: -kv[1])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--days', type=float, default=20)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--tft-epochs', type=int, default=2)
    ap.add_argument('--max-batches', type=int, default=12, help='batches of 256 per epoch (training and validation); 0 = whole epochs')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--real', default=None, help=f'1-minute candles CSV (default: {REAL} in the real data folder)')
    ap.add_argument('--tft-real', action='store_true', help='also the TFT on the real sample')
    ap.add_argument('--skip', default='', help="comma list of parts to skip: lstm-planted, lstm-real, tft")
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: as torch chooses)')
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    skip = set(filter(None, args.skip.split(',')))
    loop = {'epochs': args.epochs, 'device': args.device, 'max_batches': args.max_batches or None, 'progress': False}
    print(f"deep_eval: torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}; epochs {args.epochs} "
          f"(TFT {args.tft_epochs}) of {args.max_batches or 'all'} batches of 256 windows; planted sample {args.days:g} days, seed {args.seed}")
    tmp = Path(tempfile.mkdtemp(prefix='deep_eval_'))
    t0 = time.perf_counter()
    try:
        market = sample_market(days=args.days, seed=args.seed)
        planted = open_store(tmp/'planted')
        for s in ('EDGE/USDT',): planted.write_candles(s, market.candles[s]); planted.write_trades(s, market.trades[s])
        real_path = Path(args.real) if args.real else (real_data_dir() or Path('../shared/data/real'))/REAL
        real = None
        if real_path.exists():
            candles, report = read_candles_csv(real_path, 'BTC/USDT')
            real = open_store(tmp/'real'); real.write_candles('BTC/USDT', candles)
            print(f"real sample: {real_path.name}: {report}")
        else: print(f"real sample {real_path} not found: its runs are skipped")
        common = dict(registry=tmp/'models', runs_dir=tmp/'runs')
        if 'lstm-planted' not in skip:
            res = train_lstm(planted, DeepTrainConfig(symbol='EDGE/USDT', seed=args.seed, loop=loop), **common)
            lstm_report(f"EDGE/USDT planted edge (strength 12), {args.days:g} days", res, oracle_accuracy(market, res.data, args.seed))
        if real is not None and 'lstm-real' not in skip:
            res = train_lstm(real, DeepTrainConfig(symbol='BTC/USDT', seed=args.seed, loop=loop), **common)
            lstm_report("BTC/USDT real (Binance 1m, 2023-03-01..21)", res)
        if 'tft' not in skip:
            tloop = {**loop, 'epochs': args.tft_epochs}
            res = train_tft(planted, DeepTrainConfig(symbol='EDGE/USDT', model='tft', seed=args.seed, loop=tloop), **common)
            tft_report(f"EDGE/USDT planted edge, {args.days:g} days", res)
            if real is not None and args.tft_real:
                res = train_tft(real, DeepTrainConfig(symbol='BTC/USDT', model='tft', seed=args.seed, loop=tloop), **common)
                tft_report("BTC/USDT real", res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ndeep_eval wall time {time.perf_counter() - t0:.0f} s")


if __name__ == '__main__': main()

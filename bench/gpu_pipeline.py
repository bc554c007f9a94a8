"""The deep training runs of `tg4_ml.train.deep` (LSTM and TFT) on a planted-edge sample, on CPU and on CUDA with AMP. Prints figures.

    python bench/gpu_pipeline.py [--days 6] [--epochs 2] [--max-batches 80] [--devices cpu,cuda]

What a GPU user runs, less MLflow and the registry: sample market -> Parquet store -> `prepare_deep` (features, labels or
targets, split, normaliser fitted on training rows) -> `fit_lstm` / `fit_tft` through the one torch loop (device and AMP
as `LoopConfig` resolves them) -> `evaluate_lstm` / `evaluate_tft` on the test part. For each device: seconds per epoch
(the loop's history), the precision used and the out-of-sample tables. Needs the `deep` extra and TA-Lib, numba and
pyarrow; no MLflow, XGBoost or plotly (the classifier comparison is off here: `classifier=False`).
"""
import argparse, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--days', type=float, default=6)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--max-batches', type=int, default=80, help='training batches per epoch (0: all)')
    ap.add_argument('--batch-size', type=int, default=256)
    ap.add_argument('--devices', default='cpu,cuda')
    ap.add_argument('--models', default='lstm,tft')
    a = ap.parse_args()
    import numpy as np, pandas as pd, torch
    from tg4_ml.data.store import open_store
    from tg4_ml.data.synthetic import generate_market
    from tg4_ml.train.deep import DeepTrainConfig, evaluate_lstm, evaluate_tft, fit_lstm, fit_tft, prepare_deep
    print(f"torch {torch.__version__}, numpy {np.__version__}, pandas {pd.__version__}; CPU threads {torch.get_num_threads()}; "
          + (f"GPU {torch.cuda.get_device_name()} (CUDA {torch.version.cuda})" if torch.cuda.is_available() else "no CUDA GPU"))
    t0 = time.perf_counter()
    market = generate_market(['EDGE/USDT'], days=a.days, seed=42, signal_strength={'EDGE/USDT': 12.0})
    store = open_store(Path(tempfile.mkdtemp())/'store')
    store.write_candles('EDGE/USDT', market.candles['EDGE/USDT']); store.write_trades('EDGE/USDT', market.trades['EDGE/USDT'])
    print(f"sample: {len(market.candles['EDGE/USDT']):,} minutes of EDGE/USDT (planted edge 12) in {time.perf_counter() - t0:.1f} s")
    status = 0
    for model in a.models.split(','):
        data = None
        for device in a.devices.split(','):
            if device == 'cuda' and not torch.cuda.is_available(): print(f"{model} cuda: skipped (no GPU)"); continue
            loop = {'epochs': a.epochs, 'batch_size': a.batch_size, 'device': device, 'amp': 'auto', 'progress': False,
                    'max_batches': a.max_batches or None, 'patience': a.epochs}
            cfg = DeepTrainConfig(symbol='EDGE/USDT', model=model, classifier=False, loop=loop,
                                  trading={'fee_rate': 0.0005, 'slippage_bps': 2.0, 'confidence_threshold': 0.4})
            try:
                t = time.perf_counter()
                if data is None: data = prepare_deep(store, cfg); print(f"{model}: data prepared in {time.perf_counter() - t:.1f} s, "
                                                                       f"anchors {{{', '.join(f'{k}: {len(v):,}' for k, v in data.anchors.items())}}}")
                torch.manual_seed(0)
                t = time.perf_counter()
                fitted, res = (fit_lstm if model == 'lstm' else fit_tft)(data, cfg)
                fit_s = time.perf_counter() - t
                ev = (evaluate_lstm if model == 'lstm' else evaluate_tft)(fitted, data, cfg)
                ep = [round(h['seconds'], 2) for h in res.history]
                print(f"\n== {model} on {res.device} (amp {res.amp}): fit {fit_s:.1f} s, epoch seconds {ep}, "
                      f"val loss {[round(h['val_loss'], 4) for h in res.history]}, best epoch {res.best_epoch}")
                print(ev['table'].to_string(index=False, float_format=lambda v: f'{v:.4g}'))
                if model == 'lstm': print(ev['backtest_table'].to_string(index=False, float_format=lambda v: f'{v:.4g}'))
            except Exception as e:
                import traceback; traceback.print_exc(); print(f"{model} {device}: FAILED {type(e).__name__}: {e}"); status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())

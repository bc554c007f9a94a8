"""Size of a run's pages: a training report and a backtest report of a classifier on the real sample.

Trains a small XGBoost classifier on the Binance BTC/USDT 1-minute sample (2023-03-01..21; `--data`), writes its
training report (`train_classifier(report=True)`) and a backtest report of its test part (`backtest_model`), and prints
each page's size and the shared plotly.js beside them. Run with another checkout on PYTHONPATH to compare versions.

    python bench/report_size.py [--out DIR] [--n-estimators 60]
"""
import argparse, tempfile, time
from pathlib import Path

from tg4_ml.data.kraken import read_candles_csv
from tg4_ml.data.store import open_store
from tg4_ml.eval.backtest import TradingConfig
from tg4_ml.train.backtest import backtest_model
from tg4_ml.train.classifier import TrainConfig, train_classifier

REAL = Path('/work/shared/data/real/binance_BTCUSDT_1m_2023-03-01_2023-03-21.csv')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=str(REAL)); p.add_argument('--out', help='folder for the pages (default: a temporary one)')
    p.add_argument('--n-estimators', type=int, default=60)
    a = p.parse_args()
    out = Path(a.out or tempfile.mkdtemp(prefix='report_size_'))
    candles, _ = read_candles_csv(a.data, 'BTC/USDT')
    store = open_store(out/'store'); store.write_candles('BTC/USDT', candles)
    t0 = time.perf_counter()
    cfg = TrainConfig(symbol='BTC/USDT', horizon=15, order_flow='bvc', params={'n_estimators': a.n_estimators}, early_stopping_rounds=10,
                      trading=TradingConfig(confidence_threshold=0.4))
    res = train_classifier(store, cfg, registry=out/'models', runs_dir=out/'runs')
    mb = backtest_model(store, out/'models', res.model_version.ref, report=out/'runs'/'reports'/'backtest.html')
    js = out/'runs'/'reports'/'plotly.min.js'
    print(f"{len(candles):,} minutes, {res.backtest.metrics['trades']} trades on the test part, {time.perf_counter() - t0:.0f} s")
    for name, path in (('training report', res.report_path), ('backtest report', mb.report_path)):
        print(f"{name:16s} {path.stat().st_size/1e3:8.1f} kB  {path}")
    print(f"{'plotly.js':16s} {js.stat().st_size/1e3:8.1f} kB  (shared, beside the pages)" if js.exists() else 'plotly.js inlined')

if __name__ == '__main__': main()

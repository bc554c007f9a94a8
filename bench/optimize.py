"""Optuna studies of the classifier (tg4_ml.train.optimize): throughput with 1 and 2 workers, and full studies whose figures the closing note quotes.

    python bench/optimize.py throughput [--trials 12] [--workers 1,2] [--days 30] [--symbol EDGE/USDT] [--storage URL]
    python bench/optimize.py study [--data sample,real] [--trials 60] [--workers 2] [--days 30] [--real PATH] [--storage URL]

`throughput`: the 30-day sample (EDGE/USDT planted edge, WALK/USDT random walk) in a throwaway Parquet store; for each worker
count a fresh study (SQLite in a temporary folder unless --storage) of the classifier's full space (timeframes 1/5/15,
fixed and triple-barrier labels, thresholds 0.4..0.9, stops, trees up to 400) runs until it holds --trials finished trials
(4 folds). Prints wall time, trials per hour, and the trials' states. The first trials of a worker also build the bars and
features of each timeframe and fold (cached per worker process); the figure includes that, as a user's study does.

`study`: a full study per market (`sample` = EDGE/USDT and WALK/USDT of the 30-day sample; `real` = the Binance BTC/USDT
1-minute sample of 2023-03-01..21, through TG4_REAL_DATA or --real) with the final step: the best trial retrained on the
search part, tested once on the test part, registered; prints the headline (walk-forward Sharpe of the best trial, its
fold Sharpes, DSR, PBO, test-part result) and the best trials. Everything goes to a temporary folder unless --runs-dir.
Prints figures only; asserts nothing.
"""
import argparse, tempfile, time
from pathlib import Path

from tg4_ml.core import real_data_dir
from tg4_ml.data.kraken import read_candles_csv
from tg4_ml.data.store import open_store
from tg4_ml.train.optimize import optimize
from tg4_ml.train.pipeline import sample_market

REAL = 'binance_BTCUSDT_1m_2023-03-01_2023-03-21.csv'


def sample_store(root: Path, days: float, seed: int):
    store = open_store(root/'store')
    m = sample_market(days=days, seed=seed)
    for s in m.symbols: store.write_candles(s, m.candles[s])
    return store


def throughput(args, root: Path):
    store = sample_store(root, args.days, args.market_seed)
    print(f"classifier study on {args.symbol}, {args.days:g}-day sample, {args.trials} trials, 4 folds, full space")
    for w in [int(v) for v in args.workers.split(',')]:
        storage = args.storage or f"sqlite:///{root}/throughput_{w}.db"
        t0 = time.perf_counter()
        res = optimize(store, 'classifier', args.symbol, n_trials=args.trials, workers=w, storage=storage, study=f'throughput_{w}_{int(time.time())}',
                       runs_dir=root/'runs', final=False, report=False, track=False, progress=False)
        wall = time.perf_counter() - t0
        states = res.trials.state.value_counts().to_dict()
        print(f"  workers={w}: {wall:7.1f} s wall ({res.elapsed_s:.1f} s in the study), {3600*args.trials/res.elapsed_s:6.0f} trials/hour; states {states}; "
              f"mean trial {res.trials.seconds.mean():.1f} s; best walk-forward Sharpe {res.best['wf_sharpe']:.2f}")


def study(args, root: Path):
    markets = []
    if 'sample' in args.data:
        store = sample_store(root, args.days, args.market_seed)
        markets += [(store, 'EDGE/USDT'), (store, 'WALK/USDT')]
    if 'real' in args.data:
        path = Path(args.real) if args.real else (real_data_dir()/REAL if real_data_dir() else None)
        if path is None or not path.exists(): raise SystemExit(f"real sample not found ({path}); set TG4_REAL_DATA or --real")
        real = open_store(root/'real_store')
        candles, report = read_candles_csv(path, 'BTC/USDT')
        real.write_candles('BTC/USDT', candles)
        markets.append((real, 'BTC/USDT'))
    for store, symbol in markets:
        t0 = time.perf_counter()
        res = optimize(store, 'classifier', symbol, n_trials=args.trials, workers=args.workers, storage=args.storage,
                       study=f"bench_{symbol.replace('/', '_').lower()}_{int(time.time())}", runs_dir=root/'runs', registry=root/'models',
                       progress=False)
        print(f"\n=== {symbol} ({store.url}): {time.perf_counter() - t0:.0f} s")
        print(res)
        cols = ['number', 'wf_sharpe', 'fold_sharpes', 'trades', 'timeframe', 'horizon_minutes', 'label', 'confidence_threshold', 'stop_loss_pct', 'take_profit_pct']
        print(res.top(8)[cols].to_string(index=False, float_format=lambda v: f'{v:.3g}'))
        print(f"report: {res.report_path}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('what', choices=['throughput', 'study'])
    p.add_argument('--trials', type=int, default=None)
    p.add_argument('--workers', default=None)
    p.add_argument('--days', type=float, default=30)
    p.add_argument('--market-seed', type=int, default=42)
    p.add_argument('--symbol', default='EDGE/USDT')
    p.add_argument('--data', default='sample,real')
    p.add_argument('--real')
    p.add_argument('--storage')
    p.add_argument('--runs-dir')
    args = p.parse_args()
    root = Path(args.runs_dir) if args.runs_dir else Path(tempfile.mkdtemp(prefix='tg4_optimize_'))
    root.mkdir(parents=True, exist_ok=True)
    if args.what == 'throughput':
        args.trials, args.workers = args.trials or 12, args.workers or '1,2'
        throughput(args, root)
    else:
        args.trials, args.workers = args.trials or 60, int(args.workers or 2)
        study(args, root)


if __name__ == '__main__':
    main()

"""Out-of-sample table of the RL agents (tg4_ml.rl.agents.evaluate_rl) over walk-forward folds and seeds: the closing note's figures.

    python bench/rl_eval.py [--algo ppo] [--timesteps 30000] [--seeds 5] [--folds 3] [--days 8] [--data sample,real]
                            [--fee-rate 0.0026] [--slippage-bps 5] [--n-envs 4] [--episode-bars 1440] [--seed-hparams] [--threads 1]

For each market: the completed minute grid, `--folds` expanding walk-forward folds (`tg4_ml.features.splits.walk_forward`,
tests of n/(folds+1) bars at the end); per fold and seed an agent trained on the training part only (observation fitted
there, `VecNormalize` frozen after training) and run deterministically over the test part; beside it on the same bars and
costs: buy-and-hold (the maximum position from the first open, closed at the last close), flat, and the XGBoost classifier
trained on the same training part (walk-forward conventions, traded by the backtest engine). Prints per method mean ± std of
the total return after fees (of the initial cash; the maximum position is `position_size_usd` = 10% of it), the Sharpe
(per-bar returns annualised, as the backtest engine's), the maximum drawdown and the trades, over seeds x folds (agent) or
folds (baselines), the t-statistic of the mean return, and per fold the agent's mean return beside the baselines'.

Markets: `sample` = `sample_market(days)`: EDGE/USDT (planted edge, strength 12) and WALK/USDT (random walk); `real` = the
Binance BTC/USDT 1-minute sample of 2023-03-01..21 (through `tg4_ml.core.real_data_dir`, env TG4_REAL_DATA, or --real).
PPO's n_steps etc. default to a smaller rollout (n_steps 512, batch 256, 5 epochs, lr 3e-4) so that modest timesteps make
several updates; --seed-hparams uses the seed's (n_steps 2048, batch 64, 10 epochs). One torch thread per process (the
shared 2-core machine). Prints figures only; asserts nothing.
"""
import argparse, time

import torch

from tg4_ml.core import real_data_dir
from tg4_ml.data.kraken import read_candles_csv
from tg4_ml.eval.backtest import TradingConfig
from tg4_ml.rl.agents import RLConfig, evaluate_rl, format_summary, rl_summary
from tg4_ml.train.pipeline import sample_market

REAL = 'binance_BTCUSDT_1m_2023-03-01_2023-03-21.csv'


def markets(args) -> dict:
    out = {}
    if 'sample' in args.data:
        m = sample_market(days=args.days, seed=args.market_seed)
        out.update({f'{s} (sample, {args.days:g} days)': m.candles[s] for s in ('EDGE/USDT', 'WALK/USDT')})
    if 'real' in args.data:
        path = args.real or ((real_data_dir() or None) and real_data_dir()/REAL)
        if path is None or not path.exists(): print(f"real sample {REAL} not found: skipped")
        else: out['BTC/USDT (Binance 2023-03-01..21)'] = read_candles_csv(path, 'BTC/USDT')[0]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--algo', default='ppo', choices=('ppo', 'sac', 'maskable_ppo'))
    ap.add_argument('--timesteps', type=int, default=30_000)
    ap.add_argument('--seeds', type=int, default=5)
    ap.add_argument('--folds', type=int, default=3)
    ap.add_argument('--days', type=float, default=8)
    ap.add_argument('--market-seed', type=int, default=42)
    ap.add_argument('--data', default='sample,real')
    ap.add_argument('--real', type=lambda p: __import__('pathlib').Path(p), default=None)
    ap.add_argument('--fee-rate', type=float, default=0.0026)
    ap.add_argument('--slippage-bps', type=float, default=5.0)
    ap.add_argument('--n-envs', type=int, default=4)
    ap.add_argument('--episode-bars', type=int, default=1_440)
    ap.add_argument('--seed-hparams', action='store_true')
    ap.add_argument('--no-classifier', action='store_true')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ppo = {} if args.seed_hparams else {'n_steps': 512, 'batch_size': 256, 'n_epochs': 5}
    config = RLConfig(algo=args.algo, timesteps=args.timesteps, n_envs=args.n_envs, episode_bars=args.episode_bars, ppo=ppo)
    trading = TradingConfig(fee_rate=args.fee_rate, slippage_bps=args.slippage_bps, stop_loss_pct=None, take_profit_pct=None)
    print(f"{args.algo}: {args.timesteps:,} timesteps x {args.n_envs} envs of {args.episode_bars}-bar episodes, hyper-parameters "
          f"{config.hyperparameters}; {args.seeds} seeds x {args.folds} walk-forward folds; costs: fee {args.fee_rate:.4%} per fill, "
          f"slippage {args.slippage_bps:g} bp; position {trading.position_size_usd:,.0f} USD of {trading.initial_cash:,.0f} cash, {trading.mode}")
    for name, candles in markets(args).items():
        t0 = time.perf_counter()
        table = evaluate_rl(candles, config, seeds=range(args.seeds), folds=args.folds, trading=trading, classifier=not args.no_classifier)
        agent = table[table.method == args.algo]
        print(f"\n== {name}: {len(candles):,} candles; test parts {table.test_start.min()} .. {table.test_end.max()}, "
              f"{int(agent.bars.iloc[0]):,}+ bars each; {time.perf_counter() - t0:.0f} s (training {agent.train_seconds.mean():.1f} s an agent); "
              f"observation undefined (agent holds) at {agent.undefined_bars.mean():.0f} test bars per run")
        print(format_summary(rl_summary(table)))
        per_fold = table.groupby(['fold', 'method'], sort=False).total_return.mean().unstack().mul(100).round(3)
        print("mean total return per fold (%):"); print(per_fold.to_string())


if __name__ == '__main__':
    main()

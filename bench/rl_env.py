"""Steps per second of one plain `tg4_ml.rl.env.TradingEnv` with random actions (continuous and discrete); prints the figures.

    python bench/rl_env.py [--steps 200000] [--days 7]

Target (issue 12): >= 100,000 steps/s for one plain environment. Observation features are computed once before the clock starts."""
import argparse, time

import numpy as np

from tg4_ml.data.bars import complete_minutes
from tg4_ml.eval.backtest import TradingConfig
from tg4_ml.rl.env import TradingEnv
from tg4_ml.rl.observation import fit_observation, observation_features
from tg4_ml.testing import small_market


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=200_000)
    ap.add_argument('--days', type=int, default=7)
    args = ap.parse_args()
    candles = complete_minutes(small_market(['XRP/USDT'], days=args.days, seed=0).candles['XRP/USDT'])
    spec, norm = fit_observation(candles)
    feats = observation_features(candles, spec, norm)
    cfg = TradingConfig(mode='long_short', stop_loss_pct=None, take_profit_pct=None)
    print(f"{len(candles):,} bars; {args.steps:,} steps per run; episodes of 1,440 bars; best of 3 runs")
    for discrete in (False, True):
        env = TradingEnv(candles, feats, cfg, episode_bars=1_440, discrete=discrete)
        rng = np.random.default_rng(0)
        actions = (list(rng.integers(0, 8, args.steps)) if discrete else list(rng.uniform(-1, 1, (args.steps, 1))))
        best = float('inf')
        for _ in range(3):
            env.reset(seed=0)
            t0 = time.perf_counter()
            for a in actions:
                _, _, term, trunc, _ = env.step(a)
                if term or trunc: env.reset()
            best = min(best, time.perf_counter() - t0)
        print(f"TradingEnv({'discrete' if discrete else 'continuous'}): {args.steps/best:,.0f} steps/s (resets included; target >= 100,000)")


if __name__ == '__main__':
    main()

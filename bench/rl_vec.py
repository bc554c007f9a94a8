"""Environment steps per second, and PPO's throughput, with the batched `tg4_ml.rl.vec.TradingVecEnv`; prints the figures.

    python bench/rl_vec.py [--days 7] [--n-envs 256] [--vec-steps 2000] [--plain-steps 200000] [--ppo-envs 8] [--ppo-rollouts 3] [--ppo-wide-envs 256]

In one run, on the same synthetic candles (7 days of 1-minute XRP/USDT bars, observation features computed before any clock
starts), random actions generated beforehand, best of 3 timed runs, resets included:
1. one plain `TradingEnv` (issue 12 target: >= 100,000 steps/s);
2. `TradingVecEnv` at N = 256 copies, counting N environment steps per call (target: >= 2,000,000 env-steps/s), with the
   DummyVecEnv-style infos (`full_infos=True`, the default) and with lean infos; the numba kernel's first call (compile, or
   load from numba's cache beside the module) is timed apart and excluded;
3. gym-anytrading's `StocksEnv` on the same closes (window 30 bars, the whole range as its frame), the reference
   (issue 12 measured about 228,000 steps/s on this machine);
4. PPO with the seed's hyper-parameters (lr 3e-4, n_steps 2048, batch 64, 10 epochs, gamma .99, GAE .95, clip .2, ent .01,
   vf .5, max grad norm .5) on `VecNormalize(TradingVecEnv(N))` vs `VecNormalize(DummyVecEnv([TradingEnv] * N))`, same seed:
   end-to-end timesteps/s (rollouts + updates) and rollout-only timesteps/s (collection time measured by a callback);
   then the same at N = 256 with n_steps 64 (a rollout of the same 16,384 timesteps, one rollout), where the
   environment's share of a rollout is larger.
   torch uses one thread (the machine has 2 cores shared with other work).
"""
import argparse, time
from pathlib import Path

import numpy as np

from tg4_ml.data.bars import complete_minutes
from tg4_ml.eval.backtest import TradingConfig
from tg4_ml.rl.env import TradingEnv
from tg4_ml.rl.observation import fit_observation, observation_features
from tg4_ml.testing import small_market

PPO_SEED_HPARAMS = dict(learning_rate=3e-4, n_steps=2048, batch_size=64, n_epochs=10, gamma=0.99, gae_lambda=0.95,
                        clip_range=0.2, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5)


def best_of(fn, repeats=3) -> float:
    "Shortest wall time of `fn()` over `repeats` runs."
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t0)
    return best


def gym_steps_per_s(env, actions) -> float:
    "Steps/s of one gymnasium environment over `actions` (resets included)."
    def run():
        env.reset(seed=0)
        for a in actions:
            _, _, term, trunc, _ = env.step(a)
            if term or trunc: env.reset()
    return len(actions)/best_of(run)


def plain_env(candles, feats, cfg, steps, discrete) -> float:
    "Steps/s of one TradingEnv, as bench/rl_env.py measures it."
    rng = np.random.default_rng(0)
    actions = list(rng.integers(0, 8, steps)) if discrete else list(rng.uniform(-1, 1, (steps, 1)))
    return gym_steps_per_s(TradingEnv(candles, feats, cfg, episode_bars=1_440, discrete=discrete), actions)


def vec_env(candles, feats, cfg, n_envs, steps, discrete, full_infos) -> float:
    "Environment steps/s of TradingVecEnv (N per call; automatic resets included); the kernel is warmed up first."
    from tg4_ml.rl.vec import TradingVecEnv
    env = TradingVecEnv(candles, feats, cfg, n_envs=n_envs, episode_bars=1_440, discrete=discrete, seed=0, full_infos=full_infos)
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 8, (steps, n_envs)) if discrete else rng.uniform(-1, 1, (steps, n_envs, 1)).astype(np.float32)
    env.reset(); env.step(actions[0])

    def run():
        env.reset()
        for a in actions: env.step(a)
    return steps*n_envs/best_of(run)


def anytrading(candles, steps, window=30) -> float:
    "Steps/s of gym-anytrading's StocksEnv on the same closes (random Buy/Sell actions, resets included)."
    from gym_anytrading.envs import StocksEnv
    df = candles.rename(columns={'open': 'Open', 'high': 'High', 'low': 'Low', 'close': 'Close', 'volume': 'Volume'})
    env = StocksEnv(df, window_size=window, frame_bound=(window, len(df)))
    return gym_steps_per_s(env, list(np.random.default_rng(0).integers(0, 2, steps)))


def ppo_throughput(make_env, n_envs, rollouts, **changes) -> tuple[float, float, float]:
    "PPO with the seed's hyper-parameters (but `changes`) for `rollouts` rollouts of n_steps x N: (end-to-end timesteps/s, rollout-only timesteps/s, seconds)."
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import VecNormalize

    class RolloutClock(BaseCallback):
        def __init__(self): super().__init__(); self.collecting = 0.0
        def _on_rollout_start(self): self._t0 = time.perf_counter()
        def _on_rollout_end(self): self.collecting += time.perf_counter() - self._t0
        def _on_step(self): return True

    venv = VecNormalize(make_env())
    hparams = {**PPO_SEED_HPARAMS, **changes}
    model = PPO('MlpPolicy', venv, seed=0, device='cpu', **hparams)
    total = rollouts*hparams['n_steps']*n_envs
    clock = RolloutClock()
    t0 = time.perf_counter()
    model.learn(total, callback=clock)
    wall = time.perf_counter() - t0
    return model.num_timesteps/wall, model.num_timesteps/clock.collecting, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--days', type=int, default=7)
    ap.add_argument('--n-envs', type=int, default=256)
    ap.add_argument('--vec-steps', type=int, default=2_000, help='calls of step() per timed run (x N env-steps)')
    ap.add_argument('--plain-steps', type=int, default=200_000)
    ap.add_argument('--ppo-envs', type=int, default=8)
    ap.add_argument('--ppo-rollouts', type=int, default=3)
    ap.add_argument('--ppo-wide-envs', type=int, default=256, help='a second comparison with this many copies and n_steps 64 (0: skip)')
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    candles = complete_minutes(small_market(['XRP/USDT'], days=args.days, seed=0).candles['XRP/USDT'])
    spec, norm = fit_observation(candles)
    feats = observation_features(candles, spec, norm)
    cfg = TradingConfig(mode='long_short', stop_loss_pct=None, take_profit_pct=None)
    print(f"{len(candles):,} bars of XRP/USDT (synthetic); episodes of 1,440 bars; random actions; best of 3 runs")

    cache = Path(__file__).resolve().parent.parent/'tg4_ml'/'rl'/'__pycache__'
    cached = any(cache.glob('vec.*.nbi'))
    t0 = time.perf_counter()
    from tg4_ml.rl.vec import TradingVecEnv
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = TradingVecEnv(candles, feats, cfg, n_envs=4, episode_bars=1_440, seed=0)
    warm.reset(); warm.step(np.zeros((4, 1), np.float32))
    dwarm = TradingVecEnv(candles, feats, cfg, n_envs=4, episode_bars=1_440, discrete=True, seed=0)
    dwarm.reset(); dwarm.step(np.zeros(4, np.int64))
    print(f"numba kernel: first calls {time.perf_counter() - t0:.2f} s ({'loaded from numba cache' if cached else 'compiled, now cached'}"
          f" in {cache.relative_to(cache.parent.parent.parent)}); import tg4_ml.rl.vec {t_import:.2f} s; both excluded from the timings")

    for discrete in (False, True):
        kind = 'discrete' if discrete else 'continuous'
        print(f"TradingEnv ({kind}):                         {plain_env(candles, feats, cfg, args.plain_steps, discrete):>12,.0f} steps/s  (target >= 100,000)")
    for discrete in (False, True):
        for full in (True, False):
            kind = 'discrete' if discrete else 'continuous'
            sps = vec_env(candles, feats, cfg, args.n_envs, args.vec_steps, discrete, full)
            print(f"TradingVecEnv N={args.n_envs} ({kind}, {'full' if full else 'lean'} infos):  {sps:>12,.0f} env-steps/s  "
                  f"({args.n_envs/sps*1e6:.0f} us per step() call; target >= 2,000,000)")
    print(f"gym-anytrading StocksEnv (window 30):           {anytrading(candles, args.plain_steps):>12,.0f} steps/s  (reference; issue: ~228,000)")

    n = args.ppo_envs
    print(f"PPO, seed hyper-parameters, N={n} copies, {args.ppo_rollouts} rollouts of {PPO_SEED_HPARAMS['n_steps']} x {n} steps, "
          f"VecNormalize, torch 1 thread, CPU:")
    from stable_baselines3.common.vec_env import DummyVecEnv
    makers = {'TradingVecEnv': lambda: TradingVecEnv(candles, feats, cfg, n_envs=n, episode_bars=1_440, seed=0),
              'DummyVecEnv(TradingEnv)': lambda: DummyVecEnv([lambda: TradingEnv(candles, feats, cfg, episode_bars=1_440)]*n)}
    for name, make in makers.items():
        fps, rollout_fps, wall = ppo_throughput(make, n, args.ppo_rollouts)
        print(f"  {name:<24} end to end {fps:>8,.0f} timesteps/s   rollouts only {rollout_fps:>8,.0f} timesteps/s   ({wall:.1f} s)")
    if args.ppo_wide_envs:
        w = args.ppo_wide_envs
        print(f"PPO, the same but N={w} copies and n_steps 64 (1 rollout of 64 x {w} steps):")
        makers = {'TradingVecEnv': lambda: TradingVecEnv(candles, feats, cfg, n_envs=w, episode_bars=1_440, seed=0),
                  'DummyVecEnv(TradingEnv)': lambda: DummyVecEnv([lambda: TradingEnv(candles, feats, cfg, episode_bars=1_440)]*w)}
        for name, make in makers.items():
            fps, rollout_fps, wall = ppo_throughput(make, w, 1, n_steps=64)
            print(f"  {name:<24} end to end {fps:>8,.0f} timesteps/s   rollouts only {rollout_fps:>8,.0f} timesteps/s   ({wall:.1f} s)")


if __name__ == '__main__':
    main()

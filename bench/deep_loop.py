"""The deep training loop's memory and overhead. Prints figures, asserts nothing about time or memory.

    python bench/deep_loop.py [--anchors 525600] [--mem-batches 10] [--steps 200] [--repeats 5] [--lstm-steps 5] [--lstm-repeats 3] [--threads 1]

(a) Memory: one epoch over a year of 1-minute bars (525,600 anchors, 60x10 float32 windows) through
    `tg4_ml.train.loop.fit` and `tg4_ml.train.windows.WindowDataset`, with a model of the direction LSTM's size
    (`tg4_ml.models.lstm.PriceDirectionLSTM` when the tree has it, else a stand-in of the same shapes: 2-layer
    bidirectional LSTM 128, 4-head attention, dense 64-32, 3 horizons x 3 classes). The process's resident memory is
    sampled every 5 ms by a thread; the figure is the peak above the baseline taken after the model exists and one tiny
    `fit` has warmed torch's allocator and kernels. The dataset (series, anchors, targets, the NaN check) is built in full;
    on CPU the epoch is capped at --mem-batches batches (`max_batches`), which is stated in the output. Next to it: what
    materialising every window would take (anchors x 60 x 10 x 4 bytes).
(b) Overhead: `fit` against a bare PyTorch loop with the same model, data, DataLoader order, AdamW, gradient clipping and
    number of training and validation steps, run interleaved --repeats times (fresh model each time); the median of each
    and their ratio (goal <= 1.05), for the LSTM-sized model and for a small MLP (where per-step overhead weighs most).
"""
import argparse, json, math, os, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tg4_ml.train.loop import LoopConfig, fit                       # noqa: E402
from tg4_ml.train.windows import WindowDataset, batch_collate      # noqa: E402

WINDOW, FEATURES, HORIZONS = 60, 10, 3


class StandInLSTM(nn.Module):
    "The direction LSTM's shapes: (B, 60, 10) -> 2-layer biLSTM 128 -> 4-head self-attention -> 64 -> 32 -> (B, 3, 3)."
    def __init__(self, n_features=FEATURES, hidden=128, layers=2, heads=4, dense=(64, 32), horizons=HORIZONS, dropout=0.2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, num_layers=layers, bidirectional=True, batch_first=True, dropout=dropout)
        self.attn = nn.MultiheadAttention(2 * hidden, heads, batch_first=True, dropout=dropout)
        sizes = (2 * hidden, *dense)
        self.dense = nn.Sequential(*[m for a, b in zip(sizes, sizes[1:]) for m in (nn.Linear(a, b), nn.ReLU(), nn.Dropout(dropout))])
        self.out = nn.Linear(sizes[-1], horizons * 3); self.horizons = horizons

    def forward(self, x):
        h, _ = self.lstm(x)
        a, _ = self.attn(h, h, h, need_weights=False)
        return self.out(self.dense(a[:, -1])).view(len(x), self.horizons, 3)


def lstm_sized_model() -> tuple[nn.Module, str]:
    "The project's PriceDirectionLSTM if this tree has it, else the stand-in; and which one it is."
    try:
        from tg4_ml.models.lstm import LSTMConfig, PriceDirectionLSTM
        return PriceDirectionLSTM(LSTMConfig(n_features=FEATURES, window=WINDOW)), 'tg4_ml.models.lstm.PriceDirectionLSTM'
    except ImportError:
        return StandInLSTM(), 'stand-in (2-layer biLSTM 128 + attention + 64-32 head)'


def small_mlp() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(WINDOW * FEATURES, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, HORIZONS * 3),
                         nn.Unflatten(1, (HORIZONS, 3)))


def direction_loss(model, batch):
    "Cross-entropy over the horizons: logits (B, H, 3) against targets (B, H)."
    logits = model(batch['x'])
    return nn.functional.cross_entropy(logits.float().reshape(-1, 3), batch['y'].reshape(-1))


def synthetic_windows(anchors: int, seed: int = 0) -> WindowDataset:
    "A (anchors + 59, 10) float32 series and one target per anchor and horizon; every anchor's 60-bar window fits."
    rng = np.random.default_rng(seed)
    series = rng.standard_normal((anchors + WINDOW - 1, FEATURES), dtype=np.float32)
    ends = np.arange(WINDOW - 1, anchors + WINDOW - 1)
    y = rng.integers(0, 3, (anchors, HORIZONS))
    return WindowDataset({'x': series}, ends, {'x': (-(WINDOW - 1), 0)}, items={'y': y})


def rss_mb() -> float:
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


class PeakRSS:
    "Samples the resident memory every `every` s in a thread; `.peak` (MB) after the with-block."
    def __init__(self, every=0.005): self.every, self.peak, self._stop = every, 0.0, threading.Event()
    def _run(self):
        while not self._stop.is_set(): self.peak = max(self.peak, rss_mb()); time.sleep(self.every)
    def __enter__(self):
        self.peak = rss_mb(); self._t = threading.Thread(target=self._run, daemon=True); self._t.start(); return self
    def __exit__(self, *exc):
        self._stop.set(); self._t.join(); self.peak = max(self.peak, rss_mb())


def memory_child(args) -> dict:
    "In a fresh process: baseline after model + warm-up fit, then build the dataset of args.anchors and run one capped epoch."
    torch.manual_seed(0)
    model, name = lstm_sized_model()
    cfg = LoopConfig(epochs=1, batch_size=args.batch_size, max_batches=args.mem_batches, progress=False, device='cpu')
    val = synthetic_windows(args.batch_size * 2, seed=2)
    warm = synthetic_windows(2 * args.batch_size, seed=1)
    fit(model, direction_loss, warm, val, LoopConfig(epochs=1, batch_size=args.batch_size, max_batches=2, progress=False, device='cpu'))
    base = rss_mb()
    t0 = time.perf_counter(); ds = synthetic_windows(args.anchors); t_build = time.perf_counter() - t0
    built = rss_mb()
    with PeakRSS() as epoch:
        t0 = time.perf_counter(); fit(model, direction_loss, ds, val, cfg); t_epoch = time.perf_counter() - t0
    return {'model': name, 'params': sum(p.numel() for p in model.parameters()), 'base': base, 'built': built, 'peak': epoch.peak,
            't_build': t_build, 't_epoch': t_epoch, 'data_mb': sum(a.nbytes for a in (ds.series['x'], ds.ends, ds.items['y'])) / 2**20}


def memory(args):
    "The same capped epoch in two fresh processes, over just enough anchors and over a year of them; the difference is the data's cost."
    steps_n = min(args.mem_batches, math.ceil(args.anchors / args.batch_size))
    runs = {}
    for label, anchors in (('small', steps_n * args.batch_size), ('year', args.anchors)):
        cmd = [sys.executable, __file__, '--memory-child', '--anchors', str(anchors), '--batch-size', str(args.batch_size),
               '--mem-batches', str(args.mem_batches), '--threads', str(args.threads)]
        env = {**os.environ, 'MALLOC_MMAP_THRESHOLD_': '131072'}   # fixed: big blocks are mmapped and returned on free, so RSS tracks live memory
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
        runs[label] = json.loads(out.stdout.splitlines()[-1])
    small, year = runs['small'], runs['year']
    n_batches = math.ceil(args.anchors / args.batch_size)
    full = args.anchors * WINDOW * FEATURES * 4
    print(f"(a) memory, model: {year['model']}, {year['params']:,} parameters ({year['params'] * 4 / 2**20:.1f} MB float32); each run in a fresh "
          f"process (glibc mmap threshold fixed at 128 KiB), RSS sampled every 5 ms; baseline = after torch, the model and a 2-batch warm-up fit")
    print(f"    {steps_n} training batches of {args.batch_size} over {steps_n * args.batch_size:,} anchors: "
          f"baseline {small['base']:.0f} MB, epoch peak {small['peak']:.0f} MB ({small['t_epoch']:.1f} s)")
    print(f"    the same {steps_n} of {n_batches} batches (max_batches cap on CPU) over a year, {args.anchors:,} anchors "
          f"(series + anchors + targets {year['data_mb']:.1f} MB, built in {year['t_build']:.2f} s with the NaN check): "
          f"baseline {year['base']:.0f} MB, after building {year['built']:.0f} MB ({year['built'] - year['base']:+.0f}), epoch peak {year['peak']:.0f} MB ({year['t_epoch']:.1f} s)")
    print(f"    cost of the year of data on top of the model's training (peak minus peak): {year['peak'] - small['peak']:+.0f} MB; "
          f"materialising all windows instead: {full / 1e9:.2f} GB ({full / 2**20:.0f} MB)")


def bare_epoch(model, ds, val, cfg: LoopConfig) -> float:
    "A plain PyTorch epoch doing what fit does per step: same loader order, AdamW, clipping, validation pass."
    torch.manual_seed(cfg.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator(); gen.manual_seed(cfg.seed + 1)
    loader = torch.utils.data.DataLoader(ds, batch_size=cfg.batch_size, shuffle=True, generator=gen, collate_fn=batch_collate)
    vloader = torch.utils.data.DataLoader(val, batch_size=cfg.batch_size, collate_fn=batch_collate)
    model.train()
    for step, batch in enumerate(loader):
        if step >= cfg.max_batches: break
        loss = direction_loss(model, batch)
        opt.zero_grad(set_to_none=True); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip); opt.step()
    model.eval(); total = 0.0
    with torch.no_grad():
        for step, batch in enumerate(vloader):
            if step >= cfg.max_batches: break
            total += direction_loss(model, batch).item()
    return total


def overhead(args, kind: str, steps: int, repeats: int):
    make = {'lstm': lambda: lstm_sized_model()[0], 'mlp': small_mlp}[kind]
    ds = synthetic_windows(steps * args.batch_size * 4)
    val = synthetic_windows(steps * args.batch_size, seed=2)
    times = {'bare': [], 'fit': [], 'fit+checkpoints': []}
    for rep in range(repeats + 1):                          # repeat 0 warms up and is not counted
        for variant in times:
            torch.manual_seed(rep); model = make()
            cfg = LoopConfig(epochs=1, batch_size=args.batch_size, max_batches=steps, progress=False, device='cpu', seed=rep)
            with tempfile.TemporaryDirectory() as d:
                t0, c0 = time.perf_counter(), time.process_time()
                if variant == 'bare': bare_epoch(model, ds, val, cfg)
                else: fit(model, direction_loss, ds, val, cfg, checkpoint_dir=d if variant == 'fit+checkpoints' else None)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            if rep: times[variant].append((wall, cpu))
    print(f"(b) overhead, {kind}: {steps} training + {steps} validation batches of {args.batch_size}, median of {repeats} interleaved runs (after one warm-up round)")
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    for k, (w, c) in med.items():
        print(f"    {k:16s} wall {w:7.3f} s (ratio to bare {w / med['bare'][0]:.3f}, {w - med['bare'][0]:+.3f} s)   "
              f"process CPU {c:7.3f} s (ratio {c / med['bare'][1]:.3f})   walls: {', '.join(f'{t:.3f}' for t, _ in times[k])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--anchors', type=int, default=525_600, help='anchors of the memory run (a year of 1-minute bars)')
    ap.add_argument('--batch-size', type=int, default=256)
    ap.add_argument('--mem-batches', type=int, default=10, help='batches of the memory epoch on CPU (max_batches)')
    ap.add_argument('--steps', type=int, default=200, help='training (and validation) batches per overhead run of the small MLP')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--lstm-steps', type=int, default=5, help='training (and validation) batches per overhead run of the LSTM-sized model')
    ap.add_argument('--lstm-repeats', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--only', choices=['memory', 'overhead'], default=None)
    ap.add_argument('--memory-child', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.memory_child: return print(json.dumps(memory_child(args)))
    print(f"torch {torch.__version__}, {args.threads} thread(s), CPU")
    if args.only != 'overhead': memory(args)
    if args.only != 'memory':
        overhead(args, 'mlp', args.steps, args.repeats)
        overhead(args, 'lstm', args.lstm_steps, args.lstm_repeats)


if __name__ == '__main__':
    main()

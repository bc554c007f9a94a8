"""One training epoch of the LSTM-sized model through `tg4_ml.train.loop.fit`, on CPU and on CUDA with mixed precision. Prints figures.

    python bench/gpu.py [--batches 200] [--cpu-batches 200] [--batch-size 256] [--val-batches 10] [--threads 0] [--workers 0]

For the GPU machine: needs only torch, numpy, tqdm and fastcore (tg4_ml.core uses fastcore.basics.patch); it imports
`tg4_ml.train.loop`, `tg4_ml.train.windows` and, when this tree has it, `tg4_ml.models.lstm` (else a stand-in model of
the same shapes from bench/deep_loop.py), nothing else of tg4_ml (no TA-Lib, XGBoost, MLflow, pandas needed).
`tg4_ml.models.lstm` imports `tg4_ml.features.classifier`, which needs TA-Lib: without TA-Lib the stand-in is used
(820,617 parameters against the real network's 858,185); the first line printed names the model. Each CUDA part runs on
its own: an error is printed with its traceback and the next part still runs (exit status 1).

1. Checks on CUDA (a few seconds): the precision 'auto' resolves to, a short fit with each AMP mode the GPU supports (the
   loss must fall and stay finite; fp16 goes through the GradScaler), and a resume on CUDA: 2 epochs + resume to 4
   against 4 uninterrupted, with the largest weight difference (0 = bit-identical; cuDNN kernels may differ).
2. Timing: a warm-up fit (3 batches: cuDNN autotuning, allocator), then one epoch of --batches training batches of
   --batch-size windows (60 x 10 float32) plus --val-batches validation batches, timed around `fit` (which ends with a
   device sync: the epoch's loss is read back). CPU first (--cpu-batches), then CUDA with amp='auto' and with amp='off'.
On a machine without CUDA it prints the CPU figures, says so, and exits 0.
"""
import argparse, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT/'bench')]
try:
    import numpy as np
    import torch
    from torch import nn
    from tg4_ml.train.loop import LoopConfig, fit, resolve_amp
    from deep_loop import direction_loss, lstm_sized_model, synthetic_windows
except ModuleNotFoundError as e:
    hint = " (tg4_ml.core imports fastcore.basics: install the fastcore wheel, pure Python)" if (e.name or '').startswith('fastcore') else ''
    print(f"bench/gpu.py cannot start: module {e.name!r} is missing{hint}", file=sys.stderr)
    sys.exit(2)


def epoch_time(device: str, amp: str, batches: int, args) -> dict:
    "Wall time of one fit epoch (batches training + val_batches validation) after a 3-batch warm-up fit."
    torch.manual_seed(0)
    model, _ = lstm_sized_model()
    val_batches = min(args.val_batches, batches)
    data = synthetic_windows(batches * args.batch_size)
    val = synthetic_windows(val_batches * args.batch_size, seed=2)
    cfg = dict(epochs=1, batch_size=args.batch_size, device=device, amp=amp, progress=False, num_workers=args.workers)
    fit(model, direction_loss, data, val, LoopConfig(**cfg, max_batches=3))
    if device == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    res = fit(model, direction_loss, data, val, LoopConfig(**cfg, max_batches=max(batches, val_batches)))
    if device == 'cuda': torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    out = {'device': device, 'amp': res.amp, 'batch_size': args.batch_size, 'batches': batches, 'val_batches': val_batches, 'seconds': wall,
           'ms_per_batch': 1e3 * wall / (batches + val_batches), 'windows_per_s': (batches + val_batches) * args.batch_size / wall,
           'train_loss': res.history[0]['train_loss']}
    if device == 'cuda': out['peak_gpu_mb'] = torch.cuda.max_memory_allocated() / 2**20
    return out


def show(r: dict) -> None:
    extra = f", peak GPU memory {r['peak_gpu_mb']:.0f} MB" if 'peak_gpu_mb' in r else ''
    print(f"  {r['device']:4s} amp={r['amp']:4s}: {r['seconds']:7.2f} s for {r['batches']} + {r['val_batches']} batches of "
          f"{r['batch_size']}  ({r['ms_per_batch']:.1f} ms/batch, {r['windows_per_s']:,.0f} windows/s, train loss {r['train_loss']:.4f}){extra}")


def toy():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2048, 20, 4, generator=g); y = x[:, -5:, 0].sum(1, keepdim=True) + 0.1 * torch.randn(2048, 1, generator=g)
    class Net(nn.Module):
        def __init__(self):
            super().__init__(); self.lstm = nn.LSTM(4, 32, batch_first=True); self.head = nn.Linear(32, 1)
        def forward(self, x): return self.head(self.lstm(x)[0][:, -1])
    loss = lambda model, b: nn.functional.mse_loss(model(b[0]).float(), b[1])
    ds = torch.utils.data.TensorDataset
    return Net, loss, ds(x[:1536], y[:1536]), ds(x[1536:], y[1536:])


def cuda_checks() -> bool:
    ok = True
    bf16 = torch.cuda.is_bf16_supported()
    print(f"checks: amp='auto' resolves to {resolve_amp('auto', 'cuda')!r} (bf16 supported: {bf16})")
    Net, loss, train, val = toy()
    for amp in (['bf16'] if bf16 else []) + ['fp16', 'off']:
        torch.manual_seed(0)
        res = fit(Net(), loss, train, val, LoopConfig(epochs=4, batch_size=64, lr=1e-2, device='cuda', amp=amp, progress=False))
        v = [h['val_loss'] for h in res.history]
        good = all(np.isfinite(v)) and v[-1] < v[0]
        ok &= good
        print(f"  amp={amp:4s}: val loss {' -> '.join(f'{x:.4f}' for x in v)}  {'ok' if good else 'FAILED'}")
    cfg = dict(batch_size=64, lr=1e-2, device='cuda', amp='auto', progress=False)
    with tempfile.TemporaryDirectory() as d:
        torch.manual_seed(0); whole = fit(Net(), loss, train, val, LoopConfig(epochs=4, **cfg), checkpoint_dir=f'{d}/whole')
        torch.manual_seed(0); fit(Net(), loss, train, val, LoopConfig(epochs=2, **cfg), checkpoint_dir=f'{d}/cut')
        torch.manual_seed(1); resumed = fit(Net(), loss, train, val, LoopConfig(epochs=4, **cfg), checkpoint_dir=f'{d}/cut', resume=True)
    a, b = whole.model.state_dict(), resumed.model.state_dict()
    same = all(torch.equal(a[k], b[k]) for k in a)
    diff = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
    print(f"  resume on CUDA (2 epochs, resumed to 4, vs 4 uninterrupted; amp={whole.amp}): "
          f"{'bit-identical' if same else f'max abs weight difference {diff:.3g}'} (resumed_from={resumed.resumed_from})")
    return ok


def attempt(what: str, run):
    "Run one part; on an error print it and go on with the next part (one GPU session should report everything it can)."
    try: return run()
    except Exception:
        import traceback
        print(f"  {what} FAILED:"); traceback.print_exc(file=sys.stdout)
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--batches', type=int, default=200, help='training batches of the CUDA epoch')
    ap.add_argument('--cpu-batches', type=int, default=200, help='training batches of the CPU epoch (0: skip CPU)')
    ap.add_argument('--batch-size', type=int, default=256)
    ap.add_argument('--val-batches', type=int, default=10)
    ap.add_argument('--threads', type=int, default=0, help='CPU threads for torch (0: torch default)')
    ap.add_argument('--workers', type=int, default=0, help='DataLoader workers')
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    model, name = lstm_sized_model()
    print(f"torch {torch.__version__}, numpy {np.__version__}; model: {name}, {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"windows 60x10 float32, batch {args.batch_size}")
    cuda = torch.cuda.is_available()
    print(f"CPU: {torch.get_num_threads()} torch threads" + (f"; GPU: {torch.cuda.get_device_name()} (CUDA {torch.version.cuda}, "
          f"{torch.cuda.get_device_properties(0).total_memory / 2**30:.0f} GiB)" if cuda else "; no CUDA GPU visible"))
    results = []
    if args.cpu_batches:
        results.append(epoch_time('cpu', 'auto', args.cpu_batches, args)); show(results[-1])
    if not cuda:
        print("no CUDA GPU: CPU figures only (run this on the GPU machine for the CUDA epoch)")
        return 0
    ok = attempt('CUDA checks', cuda_checks) is True
    for amp in ('auto', 'off'):
        r = attempt(f'CUDA epoch amp={amp}', lambda: epoch_time('cuda', amp, args.batches, args))
        if r: results.append(r); show(r)
        ok &= bool(r)
    cuda_runs = [r for r in results if r['device'] == 'cuda']
    if args.cpu_batches and cuda_runs:
        cpu, gpu = results[0]['ms_per_batch'], cuda_runs[0]['ms_per_batch']
        print(f"  CUDA amp={cuda_runs[0]['amp']} is {cpu / gpu:.1f}x faster per batch than the CPU ({cpu:.1f} vs {gpu:.1f} ms)")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

"""VPIN's three paths: the live last-bar path, the serial kernel and the parallel kernel. Prints figures, asserts nothing about time.

    python bench/vpin.py [--calls 3000] [--year-bars 525600]

Live: a 400-bar window (the paper tester's snapshot), VPIN of the last bar, as `classifier_features_live` needs it, timed per
call (wall and process CPU, all threads). Batch: a year of 1-minute bars, serial and parallel kernels (compile excluded).
Each path runs in its own process, so the serial figures are not taken with numba's thread pool running.
"""
import argparse, json, os, subprocess, sys, textwrap

CHILD = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    from tg4_ml.features.orderflow import bvc_buy_fraction, vpin
    mode, calls, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    volume = rng.lognormal(0, 1, n); close = 100*np.exp(np.cumsum(rng.normal(0, 1e-3, n)))
    frac = bvc_buy_fraction(close)
    kw = {'last': dict(last_only=True), 'serial': dict(parallel=False), 'parallel': dict(parallel=True)}[mode]
    t0 = time.perf_counter(); vpin(volume, frac, volume.mean(), **kw); first = time.perf_counter() - t0
    wall, cpu = [], []
    for _ in range(calls):
        c0, t0 = time.process_time(), time.perf_counter()
        vpin(volume, frac, volume.mean(), **kw)
        wall.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    with open('/proc/self/statm') as f: rss = int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20
    print(json.dumps({'first': first, 'wall': np.percentile(wall, [50, 99]).tolist(), 'cpu': np.percentile(cpu, [50, 99]).tolist(),
                      'threads': len(os.listdir('/proc/self/task')), 'numba': 'numba' in sys.modules, 'rss': rss}))
""")


def run(mode: str, calls: int, n: int) -> dict:
    out = subprocess.run([sys.executable, '-c', CHILD, mode, str(calls), str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--calls', type=int, default=3000)
    ap.add_argument('--year-bars', type=int, default=525_600)
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores, NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'default')}")
    for mode in ('last', 'serial', 'parallel'):
        r = run(mode, args.calls, 400)
        print(f"live window, 400 bars, {mode:8s}: first call {r['first']*1e3:7.1f} ms; then wall p50 {r['wall'][0]*1e3:.3f} ms, "
              f"p99 {r['wall'][1]*1e3:.3f} ms; CPU p50 {r['cpu'][0]*1e3:.3f} ms, p99 {r['cpu'][1]*1e3:.3f} ms; "
              f"{r['threads']} OS threads, numba {'imported' if r['numba'] else 'not imported'}, RSS {r['rss']:.0f} MB")
    for mode in ('serial', 'parallel'):
        r = run(mode, 5, args.year_bars)
        print(f"batch, {args.year_bars:,} bars, {mode:8s}: wall p50 {r['wall'][0]:.3f} s, CPU p50 {r['cpu'][0]:.3f} s")


if __name__ == '__main__':
    main()

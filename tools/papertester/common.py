"""Shared plumbing for the scripts that drive the real (third-party) TG4 paper tester against tg4_ml's `ml_signal_v1`.

Standard library only: this module is imported by the orchestrators (any Python >= 3.11) and by the launchers that run
inside the tester's own virtual environment. Nothing of the tester is copied here; its code is imported at run time
from the folder the user gives (TG4_TESTER_ROOT).
"""
from __future__ import annotations
import json, math, os, shlex, shutil, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TESTER_REL = Path('archive/ws_paper_trader/ws_paper_tester')        # where the tester sits inside the TG4 tree


def exit_on_sigterm() -> None:
    "Turn SIGTERM (e.g. from `timeout`) into SystemExit so that `finally`/`with` blocks stop servers and helper processes."
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

def env_path(name: str, default) -> Path:
    return Path(os.environ.get(name) or default)

def tester_root() -> Path:
    "The TG4 tree holding archive/ws_paper_trader/ws_paper_tester and data/kraken_db (read only, never modified)."
    return env_path('TG4_TESTER_ROOT', '/tmp/tg4')

def tester_python() -> Path:
    "The Python of the tester's virtual environment (tg4_ml installed into it by setup.sh)."
    return env_path('TG4_TESTER_VENV', '/tmp/tester_venv')/'bin'/'python'

def dev_python() -> Path:
    "The Python with tg4_ml's full (training) stack: TG4_DEV_PYTHON, else REPO/.venv, else /work/main/.venv."
    if os.environ.get('TG4_DEV_PYTHON'): return Path(os.environ['TG4_DEV_PYTHON'])
    for p in (REPO/'.venv'/'bin'/'python', Path('/work/main/.venv/bin/python')):
        if p.exists(): return p
    return Path(sys.executable)

def dev_env() -> dict:
    "Environment for dev_python: tg4_ml resolves to this checkout."
    return {**os.environ, 'PYTHONPATH': str(REPO), 'PYTHONDONTWRITEBYTECODE': '1'}

def say(msg: str) -> None:
    print(f"[papertester {time.strftime('%H:%M:%S')}] {msg}", flush=True)

def run(cmd: list, log: Path | None = None, env: dict | None = None, cwd=None, check: bool = True, timeout: float | None = None,
        stream: bool = False):
    "Run a command (its output teed to `log`, and echoed live with `stream`), return a CompletedProcess; killed after `timeout` s."
    shown = [('<python code>' if str(c).count('\n') > 1 else str(c)) for c in cmd]
    say('$ ' + ' '.join(shlex.quote(c) for c in shown) + (f'   (cwd {cwd})' if cwd else ''))
    proc = subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = None
    if timeout:
        import threading
        def kill():
            say(f"timeout after {timeout:.0f} s: stopping pid {proc.pid}"); proc.kill()
        timer = threading.Timer(timeout, kill); timer.daemon = True; timer.start()
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if stream: print('    | ' + line, end='', flush=True)
        rc = proc.wait()
    except BaseException:                         # SIGTERM/Ctrl-C of ours: stop the child (by its PID) too
        proc.kill(); proc.wait(); raise
    if timer: timer.cancel()
    out = ''.join(lines)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, 'a') as f: f.write(f"$ {' '.join(map(str, cmd))}\n{out}\n[exit {rc}]\n")
    if check and rc != 0:
        tail = '\n'.join(out.splitlines()[-30:])
        raise RuntimeError(f"command failed with exit {rc}: {' '.join(shown)}\n{tail}")
    return subprocess.CompletedProcess(cmd, rc, out)

def tg4_ml(args: list, out: Path, log: Path, check: bool = True, timeout: float | None = 1800, models_dir: Path | None = None):
    "Run the `tg4-ml` CLI of this checkout (dev Python) with its models (unless given) and runs folders under `out`."
    cmd = [dev_python(), '-c', 'import sys; from tg4_ml.cli import main; sys.exit(main())',
           '--set', f"models_dir={Path(models_dir or out/'models').resolve()}", '--set', f"runs_dir={out/'runs'}", '--set', f"data_dir={out/'data'}", *args]
    env = {**dev_env(), 'MLFLOW_TRACKING_URI': f"sqlite:///{out/'runs'/'mlflow.db'}"}
    (out/'runs').mkdir(parents=True, exist_ok=True)
    return run(cmd, log, env=env, cwd=out, check=check, timeout=timeout)

def copy_tester(dest: Path) -> Path:
    "Copy the TG4 tree (tester + data/kraken_db) to `dest`; return the copied tester folder. The original is never touched."
    src = tester_root()
    if not (src/TESTER_REL/'paper_tester.py').exists():
        raise FileNotFoundError(f"{src/TESTER_REL}: no paper_tester.py (set TG4_TESTER_ROOT to the TG4 tree holding {TESTER_REL})")
    if dest.exists(): shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns('__pycache__', '*.pyc', '.git', 'logs', 'backtest_results'))
    return dest/TESTER_REL

# ---- a throwaway PostgreSQL through the repo's tools/pg.sh -------------------------------------------------------
class Postgres:
    "Start tools/pg.sh's private server on 127.0.0.1; stop it (by its PID) and remove its folder on exit."
    def __init__(self): self.url = self.pid = self.dir = None
    def __enter__(self):
        p = subprocess.run(['bash', '-c', f'source {shlex.quote(str(REPO/"tools"/"pg.sh"))} && pg_start >&2 && '
                            'printf "%s\\n%s\\n%s\\n" "$TG4_TEST_PG_URL" "$TG4_PG_PID" "$TG4_PG_DIR"'],
                           text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0: raise RuntimeError(f"tools/pg.sh pg_start failed:\n{p.stderr}")
        self.url, self.pid, self.dir = p.stdout.split()[:3]
        say(p.stderr.strip().splitlines()[-1])
        return self
    def create_database(self, name: str) -> str:
        "Create database `name` (dropping an old one) and return its URL."
        code = ("import psycopg, sys\nwith psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
                f"    c.execute('DROP DATABASE IF EXISTS {name}'); c.execute('CREATE DATABASE {name}')")
        run([dev_python(), '-c', code, self.url], env=dev_env())
        return self.url.rsplit('/', 1)[0] + '/' + name
    def __exit__(self, *exc):
        if self.pid:
            subprocess.run(['bash', '-c', f'source {shlex.quote(str(REPO/"tools"/"pg.sh"))} && pg_stop'],
                           env={**os.environ, 'TG4_PG_PID': self.pid, 'TG4_PG_DIR': self.dir})
            say(f"PostgreSQL (pid {self.pid}) stopped, {self.dir} removed")
        return False

# ---- numbers -----------------------------------------------------------------------------------------------------
def percentiles(values, qs=(50, 90, 99)) -> dict:
    "Nearest-rank percentiles (no numpy needed)."
    v = sorted(values)
    if not v: return {f'p{q}': math.nan for q in qs}
    return {f'p{q}': v[min(len(v) - 1, max(0, math.ceil(q/100*len(v)) - 1))] for q in qs}

def fmt_us(d: dict) -> str:
    return '  '.join(f"{k} {v/1000:.3f} ms" if v == v else f"{k} n/a" for k, v in d.items())

def round_trips(fills: list) -> dict:
    """Independent P&L of the fills a tester reported (side, size in base units, price, fee), long and short,
    average-cost per symbol: realized P&L net of every fee, the open remainder, wins/losses per closed trade."""
    book, realized, fees, closed = {}, 0.0, 0.0, []
    for f in fills:
        sym, side, size, px, fee = f['symbol'], f['side'], float(f['size']), float(f['price']), float(f.get('fee') or 0.0)
        pos = book.setdefault(sym, {'qty': 0.0, 'cost': 0.0, 'fees': 0.0})    # qty > 0 long, < 0 short; cost = qty*avg price
        fees += fee
        sign = 1 if side in ('buy', 'cover') else -1
        if pos['qty'] == 0 or (pos['qty'] > 0) == (sign > 0):           # open or add
            pos['qty'] += sign*size; pos['cost'] += sign*size*px; pos['fees'] += fee
            continue
        close = min(size, abs(pos['qty'])); avg = pos['cost']/pos['qty']
        share = close/abs(pos['qty'])
        pnl = (px - avg)*close*(1 if pos['qty'] > 0 else -1) - fee*(close/size) - pos['fees']*share
        realized += pnl; closed.append(pnl)
        pos['cost'] -= avg*close*(1 if pos['qty'] > 0 else -1); pos['fees'] -= pos['fees']*share
        pos['qty'] += sign*close
        if abs(pos['qty']) < 1e-12: pos.update(qty=0.0, cost=0.0, fees=0.0)
        rest = size - close
        if rest > 1e-12:                                                  # flipped: the rest opens the other side
            pos['qty'] += sign*rest; pos['cost'] += sign*rest*px; pos['fees'] += fee*(rest/size)
    open_pos = {s: p['qty'] for s, p in book.items() if abs(p['qty']) > 1e-12}
    wins = sum(1 for p in closed if p > 0)
    return {'realized_pnl': realized, 'fees': fees, 'closed_trades': len(closed), 'wins': wins,
            'win_rate': wins/len(closed) if closed else math.nan, 'open_positions': open_pos}

def find_pnl_keys(obj, prefix='') -> dict:
    "Every numeric value under a key containing 'pnl' (or 'equity', 'fees'), flattened: the strategy's own accounting, whatever its shape."
    found = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and any(w in str(k).lower() for w in ('pnl', 'equity', 'fees')):
                found[path] = v
            elif isinstance(v, dict) and len(v) < 200:
                found.update(find_pnl_keys(v, path))
    return found

def jsonable(obj, depth=0):
    "A JSON-safe copy of a strategy state (models and other objects become their repr)."
    if depth > 6: return repr(obj)[:200]
    if isinstance(obj, dict): return {str(k): jsonable(v, depth + 1) for k, v in obj.items() if k != 'classifier'}
    if isinstance(obj, (list, tuple)): return [jsonable(v, depth + 1) for v in obj[:200000]]
    if isinstance(obj, (str, int, float, bool)) or obj is None: return obj
    return repr(obj)[:200]

def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, default=str))

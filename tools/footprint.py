"""The serving footprint: what the paper tester's strategy process needs and imports stays small.

    python tools/footprint.py

1. The core requirements of settings.ini (`pip install tg4_ml`) name none of the research packages (torch, MLflow, Optuna,
   SB3, ...): those live in the extras.
2. In a fresh process that does what the tester does (import `tg4_ml.strategies.ml_signal`, `on_start` loading a
   registered XGBoost model, `generate_signal` on a 400-candle live snapshot; then the same for `tg4_ml.strategies.ml_rl`
   serving a registered PPO agent), none of the research packages gets imported,
   every third-party package imported by tg4_ml's own code is a core requirement, numba's thread pool is not started and
   the calls add no OS thread. Prints the process's resident memory (no limit asserted: see bench/strategy.py).
Exits 1 on any failure. The models are a small XGBoost classifier and a PPO agent of a few hundred steps, trained here on a synthetic market.
"""
import json, pickle, re, subprocess, sys, tempfile, textwrap
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# distributions (settings.ini names) and the modules they provide that serving must never need
RESEARCH = {'torch': 'torch', 'mlflow': 'mlflow', 'optuna': 'optuna', 'stable-baselines3': 'stable_baselines3', 'sb3-contrib': 'sb3_contrib',
            'gymnasium': 'gymnasium', 'plotly': 'plotly', 'psycopg': 'psycopg', 'nbdev': 'nbdev', 'jupyterlab': 'jupyterlab',
            'papermill': 'papermill', 'websockets': 'websockets', 'ccxt': 'ccxt'}


def requirement_names(key: str = 'requirements') -> list[str]:
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return [re.split(r'[<>=!~\[; ]', r, maxsplit=1)[0].lower() for r in cfg['DEFAULT'].get(key, '').split()]


CHILD = textwrap.dedent("""
    import json, os, pickle, sys
    threads = lambda: len(os.listdir('/proc/self/task'))
    folder, which = sys.argv[1], sys.argv[2]
    if which == 'ml_rl':
        from tg4_ml.strategies import ml_rl as strategy
        config, key = {**strategy.CONFIG, 'registry_dir': folder + '/models', 'agents': {'BTC/USDT': 'rl_btc_usdt'}}, 'agents'
    else:
        from tg4_ml.strategies import ml_signal as strategy
        config = {**strategy.CONFIG, 'registry_dir': folder + '/models', 'models': {'BTC/USDT': 'signal_btc_usdt'},
                  'symbols': ['BTC/USDT'], 'confidence_threshold': 1.01}
        key = 'models'
    state = {}
    strategy.on_start(config, state)
    snaps = pickle.load(open(folder + '/snapshots.pkl', 'rb'))
    strategy.generate_signal(snaps[0], config, state)
    before = threads()
    for s in snaps[1:]: strategy.generate_signal(s, config, state)
    st = state['tg4_ml']
    pool = None
    if 'numba' in sys.modules:
        from numba.np.ufunc import parallel
        pool = parallel._is_initialized
    own = set()                                    # top-level packages that tg4_ml's own modules imported
    import ast
    for name, mod in list(sys.modules.items()):
        if name.startswith('tg4_ml') and getattr(mod, '__file__', None):
            for node in ast.walk(ast.parse(open(mod.__file__).read())):
                if isinstance(node, ast.Import): own |= {a.name.split('.')[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module: own.add(node.module.split('.')[0])
    with open('/proc/self/statm') as f: rss = int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20
    print(json.dumps({'modules': sorted({m.split('.')[0] for m in sys.modules}), 'own_imports': sorted(own & {m.split('.')[0] for m in sys.modules}),
                      'numba_pool': pool, 'threads_before': before, 'threads_after': threads(), 'errors': st['errors'],
                      'skipped': st['skipped'], 'evaluated': [s for s, m in st[key].items() if m['last_bar'] is not None], 'rss_mb': rss}))
""")


def prepare(folder: Path) -> None:
    "Register a small XGBoost classifier for BTC/USDT and pickle 30 live snapshots of 400 candles."
    import pandas as pd
    from tg4_ml.data.bars import complete_minutes
    from tg4_ml.data.snapshots import feed_times, snapshot_at
    from tg4_ml.features.classifier import classifier_features, fit_feature_spec, signal_rows
    from tg4_ml.features.labels import fixed_horizon_labels
    from tg4_ml.models.classifier import SignalClassifier
    from tg4_ml.registry import ModelRegistry
    from tg4_ml.testing import small_market
    mk = small_market(['BTC/USDT'], days=3, seed=1, signal_strength=1.0)
    candles = complete_minutes(mk.candles['BTC/USDT'])          # features and labels on the completed minute grid
    spec = fit_feature_spec(candles.iloc[:3000])
    feats, labels = classifier_features(candles, spec), fixed_horizon_labels(candles, 5)
    labels = labels.where(signal_rows(candles, feats))
    clf = SignalClassifier(spec, params={'n_estimators': 20}, device='cpu', early_stopping_rounds=0)
    clf.fit(feats.iloc[:2500], labels.iloc[:2500], feats.iloc[2510:3000], labels.iloc[2510:3000])
    clf.save(folder/'clf')
    ModelRegistry(folder/'models').register('signal_btc_usdt', folder/'clf', code_version='footprint-check')
    from tg4_ml.eval.backtest import TradingConfig
    from tg4_ml.rl.agents import RLConfig, register_agent, train_agent
    agent, model, venv = train_agent(candles.iloc[:3000], RLConfig(timesteps=256, n_envs=2, episode_bars=128, ppo={'n_steps': 128, 'n_epochs': 1}),
                                     TradingConfig(stop_loss_pct=None, take_profit_pct=None), symbol='BTC/USDT')
    register_agent(folder/'models', 'rl_btc_usdt', agent, model, venv)
    appended = feed_times(mk.trades['BTC/USDT'])                # when the live feed appends each traded minute's candle
    snaps = [snapshot_at(t + pd.Timedelta('1us'), mk.candles, mk.trades) for t in appended.iloc[3000:3030]]
    (folder/'snapshots.pkl').write_bytes(pickle.dumps(snaps))


def main() -> int:
    failures = []
    core = requirement_names()
    bad = sorted(set(core) & set(RESEARCH))
    if bad: failures.append(f"settings.ini `requirements` (the serving core) names research packages {bad}: move them to an extra")
    else: print(f"core requirements ({len(core)}): {', '.join(core)}")

    folder = Path(tempfile.mkdtemp(prefix='tg4_footprint_'))
    prepare(folder)
    for which in ('ml_signal', 'ml_rl'):
        failures += check_child(folder, which, core)
    for f in failures: print(f"FAILED: {f}")
    return 1 if failures else 0


def check_child(folder: Path, which: str, core: list) -> list:
    "Run the serving process of strategy `which` and return its failures."
    failures = []
    out = subprocess.run([sys.executable, '-c', CHILD, str(folder), which], capture_output=True, text=True, timeout=600)
    if out.returncode != 0: print(out.stderr); failures.append(f"the {which} serving process failed")
    else:
        r = json.loads(out.stdout.splitlines()[-1])
        if r['errors'] or r['skipped'] or r['evaluated'] != ['BTC/USDT']:
            failures.append(f"the strategy did not evaluate its snapshots: errors {r['errors']}, skipped {r['skipped']}")
        imported = sorted(m for m in RESEARCH.values() if m in r['modules'])
        if imported: failures.append(f"serving imported research packages {imported}")
        import importlib.metadata as md
        dists = md.packages_distributions()
        allowed = set(core) | {'tg4_ml', 'ws_tester'}
        stdlib = set(sys.stdlib_module_names)
        outside = sorted(m for m in r['own_imports'] if m not in stdlib and not ({d.lower() for d in dists.get(m, [m])} & allowed))
        if outside: failures.append(f"tg4_ml's serving modules import packages that are not core requirements: {outside}")
        if r['numba_pool']: failures.append("generate_signal started numba's thread pool")
        if r['threads_after'] != r['threads_before']:
            failures.append(f"generate_signal added OS threads: {r['threads_before']} -> {r['threads_after']}")
        print(f"{which} serving process: {len(r['modules'])} top-level modules, none of {sorted(RESEARCH.values())}; "
              f"tg4_ml imports {', '.join(m for m in r['own_imports'] if m not in stdlib)}; numba pool "
              f"{'started' if r['numba_pool'] else 'not started' if r['numba_pool'] is False else 'not imported'}; "
              f"{r['threads_after']} OS threads; resident memory {r['rss_mb']:.0f} MB")
    return [f"{which}: {f}" for f in failures]


if __name__ == '__main__':
    sys.exit(main())

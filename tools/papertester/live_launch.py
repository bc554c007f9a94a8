"""Run the TG4 paper tester's live loop (paper_tester.main, unchanged, imported from its folder) against a local WebSocket URL.

    cd TESTER_DIR && python live_launch.py --ws-url ws://127.0.0.1:PORT --record FILE -- <paper_tester.py arguments>

Runs inside the tester's virtual environment. Before calling paper_tester.main() it sets the class attribute
ws_tester.data_layer.KrakenWSClient.WS_URL (the tester reads no URL from its config). It wraps each strategy's
generate_signal (pass-through) to note, per call, whether the strategy scored a new bar (its state's last bar moved), and
keeps the tester object so that at the end it can write to --record: per-call latency and scored flags, the fills passed
to on_fill, the strategy state, the process's peak RSS (getrusage) and its thread count before / after.
"""
import argparse, importlib.util, json, resource, sys, threading, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import jsonable, write_json


def bar_marker(state: dict):
    "What says 'a new bar was scored': the strategy's last evaluated bar per symbol (tg4_ml's state layout), else its indicators."
    st = state.get('tg4_ml')
    key = 'agents' if isinstance(st, dict) and isinstance(st.get('agents'), dict) else 'models'          # ml_rl_v1 / ml_signal_v1
    if isinstance(st, dict) and isinstance(st.get(key), dict):            # tg4_ml: per symbol, the newest scored bar
        return tuple(sorted((s, m.get('last_bar')) for s, m in st[key].items() if isinstance(m, dict)))
    ind = state.get('indicators')
    if isinstance(ind, dict):
        for k in ('bar', 'bar_us', 'last_bar', 'scored_bar'):
            if k in ind: return json.dumps(ind[k], sort_keys=True, default=str)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tester', default='.', help="the tester folder holding paper_tester.py (default: the current folder)")
    ap.add_argument('--ws-url', required=True)
    ap.add_argument('--record', required=True)
    ap.add_argument('tester_args', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.tester_args[1:] if a.tester_args[:1] == ['--'] else a.tester_args
    path = Path(a.tester).resolve()/'paper_tester.py'
    spec = importlib.util.spec_from_file_location('paper_tester', path)
    pt = importlib.util.module_from_spec(spec); sys.modules['paper_tester'] = pt
    spec.loader.exec_module(pt)
    import ws_tester.data_layer as dl
    dl.KrakenWSClient.WS_URL = a.ws_url
    assert pt.KrakenWSClient is dl.KrakenWSClient, "paper_tester uses another KrakenWSClient class"

    testers, calls = [], {}
    original_run = pt.WebSocketPaperTester.run
    async def run(self, *rargs, **kw):
        testers.append(self)
        for name, strat in self.strategies.items():
            rec = calls.setdefault(name, {'latency_us': [], 'scored': [], 'fills': []})
            gen, fill = strat.generate_signal, strat.on_fill
            def generate_signal(snapshot, _gen=gen, _s=strat, _r=rec):
                before = bar_marker(_s.state); t0 = time.perf_counter_ns()
                try: return _gen(snapshot)
                finally:
                    _r['latency_us'].append((time.perf_counter_ns() - t0)/1000)
                    after = bar_marker(_s.state)
                    _r['scored'].append(None if after is None and before is None else after != before)
            def on_fill(f, _fill=fill, _r=rec):
                _r['fills'].append(jsonable(f)); return _fill(f)
            strat.generate_signal, strat.on_fill = generate_signal, on_fill
        return await original_run(self, *rargs, **kw)
    pt.WebSocketPaperTester.run = run

    def os_threads():
        return next((int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('Threads:')), -1)
    threads_before, os_before = threading.active_count(), os_threads()
    sys.argv = [str(path), *args]
    t0 = time.time()
    try:
        pt.main()
    finally:
        out = {'ws_url': a.ws_url, 'wall_s': time.time() - t0, 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,
               'threads_before_main': threads_before, 'threads_after_main': threading.active_count(),
               'os_threads_before_main': os_before, 'os_threads_after_main': os_threads(),
               'thread_names_after': [t.name for t in threading.enumerate()], 'strategies': {}}
        for tester in testers:
            out['simulated'] = tester.simulated
            out['counts'] = {'ticks': tester.tick_count, 'signals': tester.signal_count, 'fills': tester.fill_count}
            for name, strat in tester.strategies.items():
                port = tester.portfolio_manager.get_portfolio(name)
                out['strategies'][name] = {**calls.get(name, {}), 'state': jsonable(strat.state), 'errors': strat.errors,
                                           'signals_generated': strat.signals_generated,
                                           'portfolio': jsonable(port.to_dict(tester.data_manager.get_prices())) if port else None}
        write_json(Path(a.record), out)
        print(f"[live_launch] recorded -> {a.record}", flush=True)


if __name__ == '__main__':
    main()

"""Run the same bars and signals through vectorbt and backtesting.py (in an interpreter that has them); prints timings.
Called by bench/backtest.py --compare-python; not part of tg4_ml."""
import sys, time
import numpy as np
import pandas as pd

data = np.load(sys.argv[1])
idx = pd.to_datetime(data['index'], unit='us', utc=True)
df = pd.DataFrame({'Open': data['open'], 'High': data['high'], 'Low': data['low'], 'Close': data['close']}, index=idx)
sig = data['signal']
n = len(df)
try:
    import vectorbt as vbt
    entries = pd.Series(np.r_[False, sig[:-1] == 1], index=idx); exits = pd.Series(np.r_[False, sig[:-1] == -1], index=idx)
    run = lambda: vbt.Portfolio.from_signals(df.Close, entries, exits, price=df.Open, open=df.Open, high=df.High, low=df.Low,
                                             fees=0.0026, slippage=0.0005, sl_stop=0.015, tp_stop=0.03, size=1000, size_type='value', init_cash=10_000, freq='1min')
    run()
    ts = []
    for _ in range(3):
        t0 = time.perf_counter(); pf = run(); ts.append(time.perf_counter() - t0)
    print(f"vectorbt {vbt.__version__} Portfolio.from_signals, {n:,} bars: best {min(ts):.3f} s ({n/min(ts)/1e6:.1f} M bars/s); {pf.trades.count():,} trades")
except Exception as e:
    print(f"vectorbt: not run ({type(e).__name__}: {e})")
try:
    import backtesting
    from backtesting import Backtest, Strategy
    m = min(n, 200_000)
    sub = df.iloc[:m].copy(); s_sub = sig[:m]
    class Signals(Strategy):
        def init(self): self.i = 0
        def next(self):
            k = len(self.data) - 1
            if s_sub[k] == 1 and not self.position: self.buy(size=0.1, sl=self.data.Close[-1]*0.985, tp=self.data.Close[-1]*1.03)
            elif s_sub[k] == -1 and self.position: self.position.close()
    sub.index = sub.index.tz_localize(None)
    t0 = time.perf_counter()
    Backtest(sub, Signals, cash=10_000_000, commission=0.0026, exclusive_orders=False).run()
    dt = time.perf_counter() - t0
    print(f"backtesting.py {backtesting.__version__}, first {m:,} bars: {dt:.2f} s ({m/dt:,.0f} bars/s)")
except Exception as e:
    print(f"backtesting.py: not run ({type(e).__name__}: {e})")

"""PostgreSQL store vs Parquet store on one year of 1-minute candles for one symbol: prints figures, asserts nothing.

    bash bench/postgres_store.sh                       # starts a throwaway PostgreSQL 15 with default durability
    .venv/bin/python bench/postgres_store.py URL       # or against a server of your own (creates and drops a database)

Issue targets on this 2-core machine: COPY ingest of 525,600 candles at >= 200,000 rows/s; reading the year back
into a DataFrame in <= 2 s.
"""
import os, platform, secrets, shutil, sys, tempfile, time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tg4_ml.data.bars import fill_gaps
from tg4_ml.data.postgres import PostgresStore
from tg4_ml.data.store import ParquetStore
from tg4_ml.data.synthetic import generate_market


def timed(fn):
    t0 = time.perf_counter(); out = fn(); return out, time.perf_counter() - t0


def main(admin_url: str):
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with psycopg.connect(admin_url) as c:
        print(f"server: {c.execute('SHOW server_version').fetchone()[0]}, fsync={c.execute('SHOW fsync').fetchone()[0]}, "
              f"synchronous_commit={c.execute('SHOW synchronous_commit').fetchone()[0]}")
    m = generate_market(['BTC/USDT'], days=365, seed=1, include_trades=True)
    candles = fill_gaps(m.candles['BTC/USDT']).drop(columns='filled')     # a full year: 525,600 rows
    trades = m.trades['BTC/USDT']
    n = len(candles)
    print(f"data: {n:,} 1-minute candles, {len(trades):,} trades (BTC/USDT, one year)")
    name = f"tg4_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as c: c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    tmp = Path(tempfile.mkdtemp())
    try:
        url = urlunsplit(urlsplit(admin_url)._replace(path='/' + name))
        pg, pq = PostgresStore(url), ParquetStore(tmp/'store')
        pg.init()
        rows = []
        for label, store in (('PostgreSQL', pg), ('Parquet', pq)):
            rep, t_w = timed(lambda: store.write_candles('BTC/USDT', candles))
            assert rep.written == n
            _, t_w2 = timed(lambda: store.write_candles('BTC/USDT', candles))
            back, t_r = timed(lambda: store.read_candles('BTC/USDT'))
            assert len(back) == n
            _, t_h = timed(lambda: store.read_resampled('BTC/USDT', '1h'))
            rep, t_tw = timed(lambda: store.write_trades('BTC/USDT', trades))
            assert rep.written == len(trades)
            tr, t_tr = timed(lambda: store.read_trades('BTC/USDT'))
            assert len(tr) == len(trades)
            rows.append((label, t_w, t_w2, t_r, t_h, t_tw, t_tr))
        print(f"\n{'store':<11} {'write candles':>22} {'rewrite (no-op)':>16} {'read year':>10} {'1h bars':>8} {'write trades':>24} {'read trades':>12}")
        for label, t_w, t_w2, t_r, t_h, t_tw, t_tr in rows:
            print(f"{label:<11} {t_w:6.2f} s {n/t_w:>10,.0f} rows/s {t_w2:14.2f} s {t_r:8.2f} s {t_h:6.2f} s "
                  f"{t_tw:6.2f} s {len(trades)/t_tw:>9,.0f} rows/s {t_tr:10.2f} s")
        pg.close()
    finally:
        shutil.rmtree(tmp)
        with psycopg.connect(admin_url, autocommit=True) as c: c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == '__main__':
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('TG4_TEST_PG_URL')
    if not url: sys.exit(__doc__)
    main(url)

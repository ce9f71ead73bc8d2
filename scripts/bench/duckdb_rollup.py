"""The roll-up chitieu does, written as plain SQL and run in DuckDB: the reference for
`chitieu-bench rollup` (see docs/benchmarks.md).

Input: a folder written by `chitieu-bench export-sql` with
  units.csv       idx,parent,depth        (the tree; parent empty at the root)
  indicators.csv  idx,method              (sum|count|min|max|last; derived ones absent)
  derived.csv     idx,num,den,factor      (derived indicators of the form num / den * factor)
  figures.csv     unit,indicator,period,value  (period: index; the year's index is in periods.csv)
  periods.csv     idx,year,quarter        (quarter empty for the year itself)

It times only the SQL (the data is loaded first), level by level as the reference figures in
the issue were measured, and prints one JSON line: {"engine": "duckdb", "seconds": [...], ...}.
"""

import json
import sys
import time

import duckdb


def main(folder: str, runs: int) -> None:
    con = duckdb.connect()
    for name in ["units", "indicators", "derived", "figures", "periods"]:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{folder}/{name}.csv', header=true)")
    max_depth = con.execute("SELECT max(depth) FROM units").fetchone()[0]
    year = con.execute("SELECT idx FROM periods WHERE quarter IS NULL").fetchone()[0]
    cells_in = con.execute("SELECT count(*) FROM figures").fetchone()[0]
    seconds = []
    produced = 0
    for _ in range(runs):
        con.execute("DROP TABLE IF EXISTS vals")
        con.execute("DROP TABLE IF EXISTS dvals")
        start = time.perf_counter()
        # A year from its quarters at the reporting units: flows add up, stocks take Q4.
        con.execute("CREATE TEMP TABLE vals AS SELECT unit, indicator, period, value FROM figures")
        con.execute(
            f"""INSERT INTO vals
            SELECT f.unit, f.indicator, {year},
                   CASE i.method WHEN 'min' THEN min(f.value) WHEN 'max' THEN max(f.value)
                                 WHEN 'sum' THEN sum(f.value) ELSE arg_max(f.value, p.quarter) END
            FROM figures f JOIN indicators i ON i.idx = f.indicator JOIN periods p ON p.idx = f.period
            GROUP BY f.unit, f.indicator, i.method
            HAVING i.method <> 'sum' OR count(*) = 4"""
        )
        # Level by level, deepest first: each level's values into its parents.
        for depth in range(max_depth, 0, -1):
            con.execute(
                f"""INSERT INTO vals
                SELECT u.parent, v.indicator, v.period,
                       CASE i.method WHEN 'min' THEN min(v.value) WHEN 'max' THEN max(v.value)
                                     ELSE sum(v.value) END
                FROM vals v JOIN units u ON u.idx = v.unit JOIN indicators i ON i.idx = v.indicator
                WHERE u.depth = {depth} AND u.parent IS NOT NULL AND i.method <> 'last'
                GROUP BY u.parent, v.indicator, v.period, i.method"""
            )
        # Derived indicators from the aggregated inputs, at every unit.
        con.execute(
            """CREATE TEMP TABLE dvals AS
            SELECT n.unit, d.idx AS indicator, n.period, n.value / d2.value * d.factor AS value
            FROM derived d
            JOIN vals n ON n.indicator = d.num
            JOIN vals d2 ON d2.indicator = d.den AND d2.unit = n.unit AND d2.period = n.period
            WHERE d2.value <> 0"""
        )
        seconds.append(time.perf_counter() - start)
        produced = con.execute("SELECT (SELECT count(*) FROM vals) + (SELECT count(*) FROM dvals)").fetchone()[0]
    print(json.dumps({"engine": "duckdb", "version": duckdb.__version__, "seconds": seconds,
                      "figures_in": cells_in, "values_out": produced}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)

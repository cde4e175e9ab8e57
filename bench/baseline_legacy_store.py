"""Legacy-equivalent store worker in CPython, for bench/e2e.ts (store phase, LEGACY_COPY=1).

What the legacy "batchstore" (RUN_MODE=Store) does, written from its description (not from legacy code):
it reads the parsed topic with Faust's `stream.take(TSDB_BATCH=200, within=TSDB_BATCH_TIME=10 s)`, decodes
each record with Faust's json codec (simplejson) into the envelope {"schema": ..., "payload": {...}}, and per
batch does one binary COPY (pgcopy CopyManager) into pro_macda:
  * columns: the first payload's keys except msg_header_code01, msg_header_code02, msg_carriage_no and
    msg_protocal_version;
  * msg_calc_dvc_time through parse_time(): split on space, "-" and ":", a naive datetime labelled
    Asia/Shanghai; msg_calc_parse_time goes into its TEXT column unchanged; every other value as it is
    (bits 0/1, scaled values floats, counters ints, written as double precision).
Here: aiokafka (Faust's Kafka client) with its own consumer group from the earliest offset, manual offset
commit after each stored batch, take() semantics (up to 200 records, or what came within 10 s of the batch's
first record). Lighter than the legacy worker: no Faust agent/stream machinery, and one CopyManager per
column list (built once, not per batch), so a ratio against it is conservative.
Our records carry five extended fields (dmp_exu_pos .. next_station, docs/deviations.md D2) that the legacy
records did not have and the legacy table has no column for: keys that are not columns of the table are
left out of the column list (the legacy records' keys exactly).

  python baseline_legacy_store.py --rows N --topic T --group G --brokers H:P --dsn URL [--table legacy_pro_macda] [--hold]

Exits when it has stored at least N rows; prints one JSON line: rows, batches, seconds (wall, from the
interpreter's start), cpu_s (time.process_time, user+sys of this process, imports and start-up included),
cpu_us_per_row, rows_per_s. --hold: after that line, waits for stdin to close before it closes the consumer
and the connection (so the caller can read the process's CPU from /proc before the shutdown work).
"""
import time

T_START = time.monotonic()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import psycopg2  # noqa: E402
import simplejson  # noqa: E402  (Faust's json codec)
from aiokafka import AIOKafkaConsumer  # noqa: E402
from pgcopy import CopyManager  # noqa: E402

TSDB_BATCH = 200
TSDB_BATCH_TIME = 10.0
EXCLUDED = frozenset(["msg_header_code01", "msg_header_code02", "msg_carriage_no", "msg_protocal_version"])
TZ = ZoneInfo("Asia/Shanghai")
_SPLIT = re.compile(r"[ \-:]")


def parse_time(s):
    """'2026-12-5 0:5:20' -> datetime(2026, 12, 5, 0, 5, 20, tzinfo=Asia/Shanghai)."""
    y, mo, d, h, mi, se = (int(x) for x in _SPLIT.split(s))
    return datetime.datetime(y, mo, d, h, mi, se).replace(tzinfo=TZ)


async def take(consumer, n, within):
    """Faust's stream.take(n, within): up to n records, or what arrived within `within` s of the first."""
    batch = []
    deadline = None
    while len(batch) < n:
        wait = within if deadline is None else deadline - time.monotonic()
        if wait <= 0:
            break
        got = await consumer.getmany(timeout_ms=int(wait * 1000), max_records=n - len(batch))
        for recs in got.values():
            batch.extend(recs)
        if batch and deadline is None:
            deadline = time.monotonic() + within
    return batch


async def run(a):
    conn = psycopg2.connect(a.dsn)
    table_cols = None
    managers = {}
    consumer = AIOKafkaConsumer(
        a.topic,
        bootstrap_servers=a.brokers,
        group_id=a.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    stored = batches = 0
    try:
        while stored < a.rows:
            records = await take(consumer, TSDB_BATCH, TSDB_BATCH_TIME)
            if not records:
                continue
            payloads = [simplejson.loads(r.value)["payload"] for r in records]
            if table_cols is None:
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                        (a.table,),
                    )
                    table_cols = frozenset(r[0] for r in cur.fetchall())
            cols = tuple(k for k in payloads[0] if k not in EXCLUDED and k in table_cols)
            mgr = managers.get(cols)
            if mgr is None:
                mgr = managers[cols] = CopyManager(conn, a.table, cols)
            rows = [
                tuple(parse_time(p[k]) if k == "msg_calc_dvc_time" else p[k] for k in cols)
                for p in payloads
            ]
            mgr.copy(rows)
            conn.commit()
            await consumer.commit()
            stored += len(rows)
            batches += 1
        cpu = time.process_time()
        secs = time.monotonic() - T_START
        print(json.dumps({
            "rows": stored, "batches": batches, "columns": len(cols), "seconds": round(secs, 3),
            "cpu_s": round(cpu, 3), "cpu_us_per_row": round(cpu / stored * 1e6, 1),
            "rows_per_s": round(stored / secs, 1),
        }), flush=True)
        if a.hold:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await consumer.stop()
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--brokers", required=True)
    p.add_argument("--dsn", required=True)
    p.add_argument("--table", default="legacy_pro_macda")
    p.add_argument("--hold", action="store_true")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A Python client of the statistics API, written for `bench/peers.ts` only.

It does what the public implementations of this task do, in their style: GET the whole window,
json.loads it, ast.literal_eval each passback_params, one parameterised INSERT per row through
psycopg2, one commit at the end. It is the baseline of the comparison, not a part of elt: like
those clients it keeps records elt would quarantine (a `compile` attempt, is_correct 2) and drops
the ones it cannot read without telling anyone.

Standard library and psycopg2 only (Debian: apt-get install -y python3-psycopg2).

    python3 bench/peers/python_client.py --api URL --database DSN --start '2024-01-15 00:00:00.000000' \
        --end '2024-01-16 00:00:00.000000' [--client demo] [--client-key demo-key] [--schema peers_python]

Prints one JSON line: records, inserted, skipped and the seconds spent downloading and inserting.
"""
import argparse
import ast
import json
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime

import psycopg2

CREATE_TABLE = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.lms_grade_statistics (
    user_id varchar NOT NULL,
    oauth_consumer_key varchar,
    lis_result_sourcedid varchar,
    lis_outcome_service_url varchar,
    is_correct int,
    attempt_type varchar,
    created_at timestamp NOT NULL
)
"""

INSERT = """
INSERT INTO {schema}.lms_grade_statistics
    (user_id, oauth_consumer_key, lis_result_sourcedid, lis_outcome_service_url,
     is_correct, attempt_type, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)
"""


def get_attempts(api, client, client_key, start, end):
    params = {"client": client, "client_key": client_key, "start": start, "end": end}
    url = api + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=600) as response:
        return json.loads(response.read())


def to_row(record):
    """The table's row for one record, or None when it cannot be read (the clients skip those)."""
    try:
        passback = ast.literal_eval(record["passback_params"])
        if not isinstance(passback, dict):
            return None
        user_id = record["lti_user_id"]
        if not user_id:
            return None
        # A bad date would abort the whole transaction in PostgreSQL, so it is checked here.
        created_at = datetime.fromisoformat(record["created_at"])
        is_correct = record.get("is_correct")
        if is_correct is not None:
            is_correct = int(is_correct)
        return (
            user_id,
            passback.get("oauth_consumer_key"),
            passback.get("lis_result_sourcedid"),
            passback.get("lis_outcome_service_url"),
            is_correct,
            record.get("attempt_type"),
            created_at,
        )
    except (KeyError, ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--client", default="demo")
    parser.add_argument("--client-key", default="demo-key")
    parser.add_argument("--schema", default="peers_python")
    args = parser.parse_args()

    t0 = time.perf_counter()
    records = get_attempts(args.api, args.client, args.client_key, args.start, args.end)
    t1 = time.perf_counter()

    conn = psycopg2.connect(args.database)
    cursor = conn.cursor()
    cursor.execute(CREATE_TABLE.format(schema=args.schema))
    insert = INSERT.format(schema=args.schema)
    inserted = skipped = 0
    for record in records:
        row = to_row(record)
        if row is None:
            skipped += 1
            continue
        cursor.execute(insert, row)
        inserted += 1
    conn.commit()
    cursor.close()
    conn.close()
    t2 = time.perf_counter()

    json.dump(
        {
            "records": len(records),
            "inserted": inserted,
            "skipped": skipped,
            "downloadSeconds": round(t1 - t0, 3),
            "insertSeconds": round(t2 - t1, 3),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

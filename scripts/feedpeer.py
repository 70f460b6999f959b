#!/usr/bin/python3
"""The Python peer of scripts/bench-feed.sh: fetch every page of an ORUK 3.0
feed over one keep-alive connection and validate each service against the
HSDS 3.0 compiled service schema (jsonschema), nothing else. Prints one line:
"peer SERVICES SECONDS CPU_SECONDS INVALID VALIDATED" (VALIDATED is yes or a
reason it is no).

Usage: feedpeer.py FEED_URL [SCHEMA_PATH]
"""
import http.client
import json
import os
import sys
import time
import urllib.parse


def main():
    feed = sys.argv[1]
    schema_path = sys.argv[2] if len(sys.argv) > 2 else ""
    validate = None
    validated = "yes"
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
        validated = "no-jsonschema-module"
    if jsonschema is not None:
        if not schema_path or not os.path.exists(schema_path):
            validated = "no-schema-file"
        else:
            with open(schema_path) as f:
                schema = json.load(f)
            cls = jsonschema.validators.validator_for(schema)
            validate = cls(schema).iter_errors
    u = urllib.parse.urlsplit(feed)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    t0, c0 = time.monotonic(), time.process_time()
    services = invalid = 0
    page = 1
    while True:
        conn.request("GET", f"{u.path}/services?page={page}&per_page=100",
                     headers={"Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit(f"page {page}: HTTP {resp.status}")
        doc = json.loads(body)
        for s in doc["contents"]:
            services += 1
            if validate is not None and next(validate(s), None) is not None:
                invalid += 1
        if doc.get("last_page") or not doc["contents"]:
            break
        page += 1
    wall, cpu = time.monotonic() - t0, time.process_time() - c0
    print(f"peer {services} {wall:.3f} {cpu:.3f} {invalid} {validated}")


if __name__ == "__main__":
    main()

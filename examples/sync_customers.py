#!/usr/bin/env python3
"""Mirror another system's customers CSV export into Doorstep, idempotently.

Python 3 standard library only. Each row is put with
``PUT /api/v1/customers/external/{ref}`` (the other system's id is the external ref), so
a rerun updates instead of duplicating. Rows whose customer already holds the same
values are not sent at all; a rerun of an unchanged export writes nothing.

    DOORSTEP_URL=https://acme.doorstep.example DOORSTEP_KEY=dsk_live_... \\
        python3 sync_customers.py customers.csv

Columns (a header row; unknown columns are ignored, missing ones left as they are):
    id (required), name (required), type (residential|commercial), email, phone, mobile,
    street, street2, city, state, zip, notes

``--host`` sends another Host header (to reach a company by its host name on a
loopback address). Prints one line per failed row and the counts at the end; exits 1
when a row failed. A 429 answer is retried after its Retry-After seconds.
"""

import argparse
import csv
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# CSV column -> the API's field.
COLUMNS = {
    "name": "name",
    "type": "kind",
    "email": "email",
    "phone": "phone",
    "mobile": "mobile_phone",
    "street": "billing_line1",
    "street2": "billing_line2",
    "city": "billing_city",
    "state": "billing_region",
    "zip": "billing_postal_code",
    "notes": "notes",
}
RETRIES = 5


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Doorstep:
    def __init__(self, base_url, key, host=None):
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        if host:
            self.headers["Host"] = host

    def call(self, method, path, body=None, headers=None):
        """Answers (status, parsed JSON); waits and retries on 429 and network errors."""
        data = None if body is None else json.dumps(body).encode()
        all_headers = dict(self.headers, **(headers or {}))
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in range(RETRIES + 1):
            req = urllib.request.Request(self.base + path, data, all_headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=30) as res:
                    return res.status, json.loads(res.read() or b"null")
            except urllib.error.HTTPError as e:
                text = e.read().decode("utf-8", "replace")
                if e.code == 429 and attempt < RETRIES:
                    wait = e.headers.get("Retry-After", "1")
                    time.sleep(int(wait) if wait.isdigit() else 1)
                    continue
                raise ApiError(e.code, text) from None
            except urllib.error.URLError:
                if attempt < RETRIES:
                    time.sleep(2**attempt)
                    continue
                raise
        raise ApiError(429, "still rate-limited")

    def customers_by_ref(self):
        """Every customer with an external ref, by that ref (all pages)."""
        found, cursor = {}, None
        while True:
            query = {"limit": "100"}
            if cursor:
                query["cursor"] = cursor
            _, page = self.call("GET", "/api/v1/customers?" + urllib.parse.urlencode(query))
            for c in page["data"]:
                if c.get("external_ref"):
                    found[c["external_ref"]] = c
            cursor = page.get("next_cursor")
            if not cursor:
                return found


def wanted(row):
    """The API fields a CSV row sets (columns present in the export only)."""
    fields = {}
    for column, field in COLUMNS.items():
        if column in row and row[column] is not None:
            fields[field] = row[column].strip()
    if "email" in fields:
        fields["email"] = fields["email"].lower()  # Doorstep keeps addresses lower-case
    if "kind" in fields:
        fields["kind"] = fields["kind"].lower() or "residential"
    return fields


def same(current, fields):
    return all(str(current.get(k) or "") == v for k, v in fields.items())


def sync(api, rows):
    counts = {"made": 0, "updated": 0, "unchanged": 0, "failed": 0}
    existing = api.customers_by_ref()
    for number, row in enumerate(rows, start=2):
        ref = (row.get("id") or "").strip()
        if not ref:
            print(f"line {number}: no id; skipped", file=sys.stderr)
            counts["failed"] += 1
            continue
        fields = wanted(row)
        current = existing.get(ref)
        if current is not None and same(current, fields):
            counts["unchanged"] += 1
            continue
        # A retry of this very change (after a lost answer) gets the first answer; the
        # key names the record's state it starts from, so a later change gets its own.
        since = current["updated_at"] if current else "new"
        change = json.dumps([ref, since, fields], sort_keys=True).encode()
        digest = hashlib.sha256(change).hexdigest()
        path = "/api/v1/customers/external/" + urllib.parse.quote(ref, safe="")
        try:
            status, saved = api.call("PUT", path, fields, {"Idempotency-Key": "sync-" + digest})
        except ApiError as e:
            print(f"line {number} ({ref}): {e}", file=sys.stderr)
            counts["failed"] += 1
            continue
        if status == 201:
            counts["made"] += 1
        elif current is not None and same(current, {k: str(saved.get(k) or "") for k in fields}):
            # The server stored it as it already was (it tidies some values).
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
        existing[ref] = saved
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="the other system's customers export")
    parser.add_argument("--url", default=os.environ.get("DOORSTEP_URL"),
                        help="the company's Doorstep, e.g. https://acme.doorstep.example [DOORSTEP_URL]")
    parser.add_argument("--key", default=os.environ.get("DOORSTEP_KEY"),
                        help="a read+write API key [DOORSTEP_KEY]")
    parser.add_argument("--host", help="Host header to send instead of the URL's host")
    args = parser.parse_args()
    if not args.url or not args.key:
        parser.error("give --url and --key (or DOORSTEP_URL and DOORSTEP_KEY)")
    with open(args.csv, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    counts = sync(Doorstep(args.url, args.key, args.host), rows)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

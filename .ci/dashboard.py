#!/usr/bin/env python3
"""Checks the Grafana dashboard kept in conf/grafana against a real Prometheus.

Structure: what Grafana's file provisioning needs (uid, title, panels with ids, types, grid
positions, and targets on the provisioned Prometheus data source). Queries: every panel target
is evaluated through Prometheus's HTTP API; one that does not parse, or that returns no series,
fails. Usage: dashboard.py DASHBOARD.json PROVISIONING_DIR PROMETHEUS_URL
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def fail(msg):
    print("dashboard: FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    dash_path, prov_dir, prom = sys.argv[1], Path(sys.argv[2]), sys.argv[3].rstrip("/")
    dash = json.loads(Path(dash_path).read_text())
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in dash:
            fail(f"no {key!r} at the top of {dash_path}")
    sources = (prov_dir / "datasources").glob("*.yml")
    uids = set()
    for f in sources:
        text = f.read_text()
        if "type: prometheus" in text:
            uids.update(re.findall(r"^\s*uid:\s*(\S+)\s*$", text, re.M))
    if not uids:
        fail(f"no Prometheus data source with a uid in {prov_dir}/datasources")
    providers = "".join(p.read_text() for p in (prov_dir / "dashboards").glob("*.yml"))
    if "type: file" not in providers or "path:" not in providers:
        fail(f"no file provider in {prov_dir}/dashboards")
    ids = set()
    queries = 0
    for p in dash["panels"]:
        where = f"panel {p.get('id')} ({p.get('title')!r})"
        for key in ("id", "type", "title", "gridPos", "targets", "datasource"):
            if key not in p:
                fail(f"{where} has no {key!r}")
        if p["id"] in ids:
            fail(f"{where}: id used twice")
        ids.add(p["id"])
        if not all(k in p["gridPos"] for k in ("h", "w", "x", "y")):
            fail(f"{where}: gridPos needs h, w, x, y")
        if p["datasource"].get("uid") not in uids:
            fail(f"{where}: data source {p['datasource']} is not the provisioned one {uids}")
        if not p["targets"]:
            fail(f"{where}: no targets")
        for t in p["targets"]:
            if not t.get("refId") or not t.get("expr"):
                fail(f"{where}: a target without refId or expr")
            url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": t["expr"]})
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    answer = json.load(r)
            except urllib.error.HTTPError as e:
                answer = json.load(e)
            if answer.get("status") != "success":
                fail(f"{where}: {t['expr']!r} does not evaluate: {answer.get('error')}")
            series = answer["data"]["result"]
            if not series:
                fail(f"{where}: {t['expr']!r} returns no series")
            queries += 1
            print(f"  {p['title']}: {t['expr']} -> {len(series)} series")
    print(f"dashboard: {len(ids)} panels, {queries} queries, each parsed and returned series")


if __name__ == "__main__":
    main()

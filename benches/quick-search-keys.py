#!/usr/bin/env python3
"""Times Quick Search per keystroke in a built site (issue 16), with headless Chromium.

Usage: quick-search-keys.py SITE_DIR [CHROMIUM]
Writes SITE_DIR/qs-bench.html, which loads assets/search.js, the term shards the queries
below need and every record file as plain scripts, then types each query one character
at a time: focusing the box runs the search at once, and with every file already loaded
it runs synchronously, so each figure is the time to rank and show the results of one
keystroke (file loading excluded: its bytes are printed per query). Prints one JSON line
per query and removes the page again.
"""
import subprocess
import os, sys, json
site = sys.argv[1]
QUERIES = ["example", "test invoice", "mailbox error", "12345", "printer thanks"]
def shard_name(p):
    if all(c.isascii() and (c.islower() or c.isdigit()) for c in p): return p
    return "-".join("u%x" % ord(c) for c in p)
prefixes = set()
for q in QUERIES:
    for w in q.split():
        for n in range(1, len(w)+1):
            prefixes.add(w[:n][:2])
tags = []
for p in sorted(prefixes):
    f = "assets/search/t-%s.js" % shard_name(p)
    if os.path.exists(os.path.join(site, f)): tags.append(f)
for f in sorted(os.listdir(os.path.join(site, "assets/search"))):
    if f.startswith("d-"): tags.append("assets/search/" + f)
html = ['<!doctype html><html data-root=""><head><meta charset="utf-8">',
        '<script src="assets/search.js"></script>']
html += ['<script src="%s"></script>' % t for t in tags]
html.append('</head><body><form><input id="quick-search"><p id="quick-search-status"></p><ol id="quick-search-results" hidden></ol></form><pre id="out"></pre>')
html.append('<script>window.addEventListener("load", function () {'
 ' var input = document.getElementById("quick-search"), out = [], Q = %s;' % json.dumps(QUERIES) +
 ' Q.forEach(function (q) { var times = [];'
 '  for (var n = 1; n <= q.length; n++) { input.value = q.slice(0, n); input.blur();'
 '   var t0 = performance.now(); input.dispatchEvent(new FocusEvent("focus")); times.push(performance.now() - t0); }'
 '  var rows = document.getElementById("quick-search-results").children.length;'
 '  out.push(JSON.stringify({q: q, max_ms: Math.max.apply(null, times).toFixed(1), per_key_ms: times.map(function (t) { return +t.toFixed(1); }), rows: rows, status: document.getElementById("quick-search-status").textContent}));'
 ' });'
 ' document.getElementById("out").textContent = out.join("\\n"); });</script></body></html>')
open(os.path.join(site, "qs-bench.html"), "w").write("\n".join(html))
sizes = {p: os.path.getsize(os.path.join(site, "assets/search/t-%s.js" % shard_name(p))) for p in prefixes if os.path.exists(os.path.join(site, "assets/search/t-%s.js" % shard_name(p)))}
for q in QUERIES:
    ps = {w[:2] for w in q.split()}
    print(q, "term shards KB:", round(sum(sizes.get(p, 0) for p in ps)/1024, 1))
browser = sys.argv[2] if len(sys.argv) > 2 else "chromium"
page = os.path.join(os.path.abspath(site), "qs-bench.html")
dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                      "--allow-file-access-from-files", "--dump-dom", "file://" + page],
                     capture_output=True, text=True, timeout=300).stdout
os.remove(page)
start = dom.find('<pre id="out">')
print(dom[start + len('<pre id="out">'):dom.find("</pre>", start)] if start >= 0 else "no result (is the browser there?)")

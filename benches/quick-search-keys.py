#!/usr/bin/env python3
"""Times Quick Search per keystroke in a built site (issue 16), with headless Chromium.

Usage: quick-search-keys.py SITE_DIR [CHROMIUM]
Writes SITE_DIR/qs-bench.html, which loads assets/search.js, the term shards the queries
below need and every record file as plain scripts, then types each query one character
at a time: focusing the box runs the search at once, and with every file already loaded
it runs synchronously, so each figure is the time to rank and show the results of one
keystroke (file loading excluded: `loaded_kb` is what a real page loads before showing a
query's results: the term shards of its words and the record files of the 20 shown;
"example test" combines the two largest shards of a generated 100k desk). Prints one JSON line
per query and removes the page again.
"""
import subprocess
import os, sys, json
site = sys.argv[1]
QUERIES = ["example", "test invoice", "mailbox error", "12345", "printer thanks", "example test"]
def shard_name(p):
    if all(c.isascii() and (c.islower() or c.isdigit()) for c in p): return p
    return "-".join("u%x" % ord(c) for c in p)
prefixes = set()
for q in QUERIES:
    for w in q.split():
        for n in range(1, len(w)+1):
            prefixes.add(w[:n][:3])
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
 '  out.push(JSON.stringify({q: q, max_ms: Math.max.apply(null, times).toFixed(1), per_key_ms: times.map(function (t) { return +t.toFixed(1); }), rows: rows, links: Array.prototype.map.call(document.querySelectorAll("#quick-search-results a"), function (a) { return a.getAttribute("href"); }), status: document.getElementById("quick-search-status").textContent}));'
 ' });'
 ' document.getElementById("out").textContent = out.join("\\n"); });</script></body></html>')
open(os.path.join(site, "qs-bench.html"), "w").write("\n".join(html))
sizes = {p: os.path.getsize(os.path.join(site, "assets/search/t-%s.js" % shard_name(p))) for p in prefixes if os.path.exists(os.path.join(site, "assets/search/t-%s.js" % shard_name(p)))}
for q in QUERIES:
    ps = {w[:3] for w in q.split()}
    print(q, "term shards KB:", round(sum(sizes.get(p, 0) for p in ps)/1024, 1))
browser = sys.argv[2] if len(sys.argv) > 2 else "chromium"
page = os.path.join(os.path.abspath(site), "qs-bench.html")
dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                      "--allow-file-access-from-files", "--dump-dom", "file://" + page],
                     capture_output=True, text=True, timeout=300).stdout
os.remove(page)
start = dom.find('<pre id="out">')
if start < 0:
    sys.exit("no result (is the browser there?)")
import html as htmllib, re
PER_FILE = 32
for line in htmllib.unescape(dom[start + len('<pre id="out">'):dom.find("</pre>", start)]).splitlines():
    r = json.loads(line)
    # What a real page loads before showing the whole query's results: the term shards of
    # its words and the record files of the results shown.
    shards = sum(sizes.get(w[:3], 0) for w in set(r["q"].split()))
    chunks = {int(m.group(1)) // PER_FILE for m in (re.search(r"/(\d+)\.html$", l) for l in r.pop("links")) if m}
    records = sum(os.path.getsize(os.path.join(site, "assets/search/d-%d.js" % c)) for c in chunks)
    r["loaded_kb"] = round((shards + records) / 1024, 1)
    print(json.dumps(r))

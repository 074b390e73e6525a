/* Quick Search: finds tickets by id, title words, customer (e-mail, account name and
   login) and the words of customer messages and answers, and KB articles by title.
   The index is built with the site in small scripts under assets/search/, loaded as
   <script> elements (so it works from file:// as well as from any web-server sub-path:
   every URL is relative to the page's data-root), and only those the query needs:
   t-<first three letters>.js holds the terms starting with them (each with its docs,
   delta-coded as gap * 4 + field; a shorter term has a shard of its own, so a word of one
   or two letters finds only itself: prefix matching starts at the third letter, where a
   busy prefix no longer matches most of the desk), d-<n>.js the records of tickets
   n*32 .. n*32+31
   (a ticket's doc number is its id), d-kb.js those of the KB articles (doc 2^40 + i). Each file calls GIT_DESK_QS(kind, key, data).
   Ranking: an exact id first, then more query words matched, then the best fields
   (title over customer over message text), then the newest (packed in one number per
   doc, see rank).
   Results are built as DOM nodes with textContent, never as HTML. */
(function () {
  "use strict";
  var PER_FILE = 32, KB_BASE = Math.pow(2, 40), SHOWN = 20, DELAY = 120;
  var root = document.documentElement.getAttribute("data-root") || "";
  var input, list, status, timer = null, generation = 0;
  var terms = {}, docs = {}, pending = {}, failed = false;

  window.GIT_DESK_QS = function (kind, key, data) {
    if (kind === "t") { terms[key] = data; } else if (kind === "d") { docs[key] = data; }
  };

  function bucket(id) {
    var b = String(Math.floor(id / 1000));
    while (b.length < 3) { b = "0" + b; }
    return b;
  }
  function ticketUrl(id) { return root + "tickets/" + bucket(id) + "/" + id + ".html"; }

  function shardName(p) {
    if (/^[a-z0-9]+$/.test(p)) { return p; }
    var parts = [];
    for (var i = 0; i < p.length;) {
      var c = p.codePointAt(i);
      parts.push("u" + c.toString(16));
      i += c > 0xffff ? 2 : 1;
    }
    return parts.join("-");
  }

  /* Loads the scripts of `keys` (kind "t" or "d"), then calls `then` once all are in
     (missing shards — no term with that prefix — count as loaded and empty). */
  function need(kind, keys, then) {
    var store = kind === "t" ? terms : docs, left = 0, done = false;
    function one() { left -= 1; if (left === 0 && !done) { done = true; then(); } }
    keys.forEach(function (k) {
      if (Object.prototype.hasOwnProperty.call(store, k)) { return; }
      var id = kind + "-" + (kind === "t" ? shardName(k) : k);
      left += 1;
      if (pending[id]) { pending[id].push(one); return; }
      pending[id] = [one];
      var s = document.createElement("script");
      s.src = root + "assets/search/" + id + ".js";
      function finish(ok) {
        if (!ok && kind === "t") { store[k] = {}; }
        if (!ok && kind === "d") { failed = true; }
        var waiting = pending[id];
        delete pending[id];
        waiting.forEach(function (f) { f(); });
      }
      s.onload = function () { finish(true); };
      s.onerror = function () { finish(false); };
      document.head.appendChild(s);
    });
    if (left === 0) { done = true; then(); }
  }

  function queryWords(q) {
    return q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }
  function prefixOf(w) { return Array.from(w).slice(0, 3).join(""); }

  /* A doc's score packed in one number, higher is better: an id equal to the query (bit
     30), then more words matched (bits 20..29), then better fields (the sum, bits 0..19);
     ties go to the newer ticket (the higher doc). Numbers, not objects: a busy prefix
     matches tens of thousands of tickets, and a keystroke must not allocate for each. */
  var EXACT = Math.pow(2, 30), WORD = Math.pow(2, 20);
  function better(a, b) { return (b.score - a.score) || (b.doc - a.doc); }

  /* The SHOWN best docs ({doc, score}) in order, and how many docs matched: only the
     shown ones are sorted. */
  function rank(words) {
    var scores = new Map();
    words.forEach(function (w) {
      var shard = terms[prefixOf(w)] || {};
      // The best field of each doc for this word: field * 2 + 1 for the word typed in full
      // (7 = an id equal to it), a matched id prefix counts 4.
      var best = new Map();
      Object.keys(shard).forEach(function (term) {
        if (term.lastIndexOf(w, 0) !== 0) { return; }
        var list = shard[term], doc = 0, whole = term === w ? 1 : 0;
        for (var i = 0; i < list.length; i++) {
          // Plain arithmetic: doc numbers go past 32 bits.
          doc += Math.floor(list[i] / 4);
          var field = list[i] % 4;
          var f = field === 3 && !whole ? 4 : field * 2 + whole;
          var b = best.get(doc);
          if (b === undefined || b < f) { best.set(doc, f); }
        }
      });
      best.forEach(function (f, d) {
        var s = scores.get(d) || 0;
        var exact = f === 7 && s < EXACT ? EXACT : 0;
        scores.set(d, s + exact + WORD + f);
      });
    });
    var top = [];
    scores.forEach(function (score, doc) {
      if (top.length === SHOWN) {
        var last = top[SHOWN - 1];
        if (score < last.score || (score === last.score && doc <= last.doc)) { return; }
      }
      var i = top.length;
      top.push({doc: doc, score: score});
      while (i > 0 && better(top[i], top[i - 1]) < 0) {
        var t = top[i]; top[i] = top[i - 1]; top[i - 1] = t; i -= 1;
      }
      if (top.length > SHOWN) { top.pop(); }
    });
    return {top: top, length: scores.size};
  }

  function chunkOf(doc) { return doc >= KB_BASE ? "kb" : String(Math.floor(doc / PER_FILE)); }
  function record(doc) {
    var chunk = docs[chunkOf(doc)];
    if (!chunk) { return null; }
    return chunk[doc >= KB_BASE ? doc - KB_BASE : doc % PER_FILE] || null;
  }

  function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }

  function render(results) {
    clear();
    var shown = results.top;
    shown.forEach(function (r) {
      var t = record(r.doc);
      if (!t) { return; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      var id = document.createElement("span");
      id.className = "qs-id";
      var title = document.createElement("span");
      title.className = "qs-title";
      title.textContent = t[1];
      var meta = document.createElement("span");
      meta.className = "qs-meta";
      if (t[0] === "kb") {
        a.href = root + t[2];
        id.textContent = "KB";
        meta.textContent = "knowledge base";
      } else {
        a.href = ticketUrl(t[0]);
        id.textContent = "#" + t[0];
        meta.textContent = t[3] + " · " + t[2];
      }
      a.appendChild(id);
      a.appendChild(document.createTextNode(" "));
      a.appendChild(title);
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
    list.hidden = shown.length === 0;
    if (failed) {
      status.textContent = "The search index could not be loaded.";
    } else if (results.length === 0) {
      status.textContent = "No ticket matches.";
    } else {
      status.textContent = results.length + (results.length === 1 ? " result" : " results") +
        (results.length > shown.length ? ", the first " + shown.length + " shown" : "");
    }
  }

  function show() {
    var q = input.value;
    var mine = ++generation;
    var words = queryWords(q);
    if (!q.trim() || words.length === 0) {
      clear(); list.hidden = true; status.textContent = ""; return;
    }
    var prefixes = [];
    words.forEach(function (w) { var p = prefixOf(w); if (prefixes.indexOf(p) < 0) { prefixes.push(p); } });
    need("t", prefixes, function () {
      if (mine !== generation) { return; }
      var results = rank(words);
      var chunks = [];
      results.top.forEach(function (r) {
        var c = chunkOf(r.doc);
        if (chunks.indexOf(c) < 0) { chunks.push(c); }
      });
      need("d", chunks, function () {
        if (mine === generation) { render(results); }
      });
    });
  }

  function later() {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; show(); }, DELAY);
  }

  document.addEventListener("DOMContentLoaded", function () {
    input = document.getElementById("quick-search");
    list = document.getElementById("quick-search-results");
    status = document.getElementById("quick-search-status");
    if (!input || !list || !status) { return; }
    input.addEventListener("focus", function () { if (input.value) { show(); } });
    input.addEventListener("input", later);
    input.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === "Escape") {
        input.value = "";
        show();
      }
    });
    list.addEventListener("keydown", function (e) {
      var items = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = items.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i + 1 < items.length) { e.preventDefault(); items[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? items[i - 1] : input).focus(); }
    });
    var m = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (m) {
      input.value = decodeURIComponent(m[1].replace(/\+/g, " "));
      show();
    }
  });
}());

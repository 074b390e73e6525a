/* Quick Search: finds tickets by id, title words or e-mail in the index built with the
   site (assets/search-index.js, loaded as a script on first use, so it works from file://
   as well as from any web-server sub-path: every URL is relative to the page's data-root).
   Results are built as DOM nodes with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var input, list, status, loading = false;

  function bucket(id) {
    var b = String(Math.floor(id / 1000));
    while (b.length < 3) { b = "0" + b; }
    return b;
  }
  function ticketUrl(id) { return root + "tickets/" + bucket(id) + "/" + id + ".html"; }

  function load(then) {
    if (window.GIT_DESK_INDEX) { then(); return; }
    if (loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "assets/search-index.js";
    s.onload = function () { loading = false; then(); };
    s.onerror = function () { loading = false; status.textContent = "The search index could not be loaded."; };
    document.head.appendChild(s);
  }

  function search(q) {
    var index = window.GIT_DESK_INDEX;
    q = q.trim().toLowerCase();
    if (!index || !q) { return []; }
    var num = q.replace(/^#/, "");
    var isNum = /^\d+$/.test(num);
    var words = q.split(/\s+/).filter(Boolean);
    var exact = [], hits = [];
    for (var i = 0; i < index.tickets.length; i++) {
      var t = index.tickets[i];
      var id = String(t[0]);
      if (isNum && (id === num || t[4].indexOf(Number(num)) >= 0)) { exact.push(t); continue; }
      var hay = (id + " " + t[1] + " " + t[2]).toLowerCase();
      var ok = true;
      for (var w = 0; w < words.length && ok; w++) { ok = hay.indexOf(words[w]) >= 0; }
      if (ok) { hits.push(t); }
    }
    hits.sort(function (a, b) { return b[0] - a[0]; });
    return exact.concat(hits);
  }

  function show() {
    var q = input.value;
    var results = search(q);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!q.trim()) { list.hidden = true; status.textContent = ""; return; }
    var shown = results.slice(0, 20);
    shown.forEach(function (t) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = ticketUrl(t[0]);
      var id = document.createElement("span");
      id.className = "qs-id";
      id.textContent = "#" + t[0];
      var title = document.createElement("span");
      title.className = "qs-title";
      title.textContent = t[1];
      a.appendChild(id);
      a.appendChild(document.createTextNode(" "));
      a.appendChild(title);
      var meta = document.createElement("span");
      meta.className = "qs-meta";
      meta.textContent = t[3] + " · " + t[2];
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
    list.hidden = shown.length === 0;
    if (results.length === 0) {
      status.textContent = "No ticket matches.";
    } else {
      status.textContent = results.length + (results.length === 1 ? " ticket" : " tickets") +
        (results.length > shown.length ? ", the first " + shown.length + " shown" : "");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    input = document.getElementById("quick-search");
    list = document.getElementById("quick-search-results");
    status = document.getElementById("quick-search-status");
    if (!input || !list || !status) { return; }
    input.addEventListener("focus", function () { load(function () { if (input.value) { show(); } }); });
    input.addEventListener("input", function () { load(show); });
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
      load(show);
    }
  });
}());

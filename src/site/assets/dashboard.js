// The dashboard's search box, in the browser. render.ts puts this file's bytes into the page after
// resolve-core.js (which defines searchReleases, the same function `resolve` runs in Node).
// The query lives in the URL (?commit=<hex> or ?date=YYYY-MM-DD, ?q= otherwise), so a search can be
// linked; opening such a link runs it.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("search-q");
  var out = document.getElementById("search-result");
  var data;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function paramOf(q) {
    if (/^[0-9a-fA-F]{7,40}$/.test(q)) return "commit";
    if (/^\d{4}-\d{2}-\d{2}$/.test(q)) return "date";
    return "q";
  }

  function show(r) {
    out.textContent = "";
    if (r.kind === "error") return void out.appendChild(el("p", "search-error", r.message));
    if (!r.hits.length) return void out.appendChild(el("p", "search-none", "no release for " + r.query));
    r.hits.forEach(function (h) {
      var hit = el("div", "hit");
      hit.setAttribute("data-version", h.version);
      var a = el("a", "", h.version);
      a.href = h.page;
      hit.appendChild(a);
      hit.appendChild(el("span", "", " " + (h.kind === "snapshot" ? "snapshot" : "release") + ", LLVM " + h.llvmVersion + " commit " + h.commit.slice(0, 12) + ", " + (h.dateText || h.date)));
      if (h.pruned) hit.appendChild(el("span", "restorable", " files pruned, restorable: " + h.restore));
      else if (h.yanked) hit.appendChild(el("span", "yanked", " yanked: " + h.yanked));
      if (h.pip) hit.appendChild(el("pre", "pip", h.pip));
      out.appendChild(hit);
    });
  }

  function run(q) {
    return (data ? Promise.resolve(data) : fetch("releases.json").then(function (r) { return r.json(); }))
      .then(function (d) {
        data = d;
        show(searchReleases(d.releases, q));
      })
      .catch(function (e) { out.textContent = "cannot read releases.json: " + e; });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim();
    var url = new URL(window.location.href);
    ["commit", "date", "q"].forEach(function (k) { url.searchParams.delete(k); });
    if (q) url.searchParams.set(paramOf(q), q);
    window.history.replaceState(null, "", url.toString());
    run(q);
  });

  var params = new URLSearchParams(window.location.search);
  var linked = params.get("commit") || params.get("date") || params.get("q");
  if (linked) {
    input.value = linked;
    run(linked);
  }
})();

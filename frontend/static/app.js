// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Suggestions as people type, from /api/v1/suggest, into the search box's datalist.
  var box = document.querySelector("input[data-suggest]");
  if (box && window.fetch) {
    var list = document.getElementById(box.getAttribute("list"));
    var timer = null, last = "";
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (q === last || q.length < 2) { return; }
        last = q;
        fetch(box.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.suggestions.forEach(function (s) {
              var o = document.createElement("option");
              o.value = s.text;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }

  // Facet toggles without a reload: fetch the filtered page and swap the results in.
  function bindFacets(root) {
    root.querySelectorAll("input[data-toggle]").forEach(function (cb) {
      cb.addEventListener("change", function () { load(cb.getAttribute("data-toggle"), cb.name, cb.value); });
    });
    var apply = root.querySelector(".facetform .apply");
    if (apply) { apply.hidden = true; }
  }
  function load(url, name, value) {
    fetch(url, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("results"), old = document.getElementById("results");
        if (!fresh || !old) { window.location = url; return; }
        old.replaceWith(fresh);
        history.pushState(null, "", url);
        bindFacets(fresh);
        var again = fresh.querySelector('input[name="' + name + '"][value="' + CSS.escape(value) + '"]');
        if (again) { again.focus(); }
      })
      .catch(function () { window.location = url; });
  }
  if (window.fetch && window.DOMParser && window.CSS && CSS.escape) {
    var results = document.getElementById("results");
    if (results) { bindFacets(results); }
    window.addEventListener("popstate", function () { window.location.reload(); });
  }
})();

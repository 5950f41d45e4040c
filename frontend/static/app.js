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
        var drawer = old.querySelector("details.drawer"), fresher = fresh.querySelector("details.drawer");
        if (drawer && fresher) { fresher.open = drawer.open; } // the drawer stays as it was
        old.replaceWith(fresh);
        history.pushState(null, "", url);
        bindFacets(fresh);
        var again = fresh.querySelector('input[name="' + name + '"][value="' + CSS.escape(value) + '"]');
        if (again) { again.focus({ preventScroll: true }); }
        // The results stay in view: on a phone they are below the drawer.
        var count = document.getElementById("hits-h");
        if (count && count.getBoundingClientRect().bottom > window.innerHeight) { count.scrollIntoView({ block: "end" }); }
      })
      .catch(function () { window.location = url; });
  }
  if (window.fetch && window.DOMParser && window.CSS && CSS.escape) {
    var results = document.getElementById("results");
    if (results) { bindFacets(results); }
    window.addEventListener("popstate", function () { window.location.reload(); });
  }

  // The answer to a question as it is written, from /ask/stream (server-sent events).
  // The "done" event carries the grounded answer, which replaces what streamed; on any
  // trouble the page is loaded the plain way, which says what went wrong.
  var ask = document.querySelector("form[data-stream]");
  if (ask && window.EventSource) {
    ask.addEventListener("submit", function (ev) {
      var q = ask.querySelector("[name=q]").value.trim();
      if (!q) { return; }
      ev.preventDefault();
      var plain = ask.getAttribute("action") + "?q=" + encodeURIComponent(q);
      document.querySelectorAll("section.answer, .notice").forEach(function (el) { el.remove(); });
      var section = el("section", "answer"), h = el("h2"), live = el("p", "streaming");
      section.id = "answer"; section.setAttribute("aria-busy", "true");
      h.textContent = ask.getAttribute("data-answer");
      live.textContent = ask.getAttribute("data-writing");
      section.append(h, live);
      ask.after(section);
      history.replaceState(null, "", plain);
      var started = false;
      var es = new EventSource(ask.getAttribute("data-stream") + "?q=" + encodeURIComponent(q));
      es.addEventListener("delta", function (e) {
        if (!started) { live.textContent = ""; started = true; }
        live.textContent += JSON.parse(e.data).text;
      });
      es.addEventListener("done", function (e) {
        es.close();
        var a = JSON.parse(e.data);
        live.remove();
        a.answer.split("\n\n").forEach(function (para) { var p = el("p"); p.textContent = para; section.append(p); });
        if (a.citations.length) {
          var h3 = el("h3"), ul = el("ul", "citations"), note = el("p", "meta");
          h3.textContent = ask.getAttribute("data-sources");
          a.citations.forEach(function (c) {
            var li = el("li"), link = el("a"), code = el("code");
            link.href = "/practices/" + encodeURIComponent(c.id); link.textContent = c.title;
            code.textContent = "[" + c.id + "]";
            li.append(link, " ", code); ul.append(li);
          });
          note.textContent = ask.getAttribute("data-machine");
          section.append(h3, ul, note);
        }
        section.setAttribute("aria-busy", "false");
      });
      var fallback = function () { es.close(); window.location = plain; };
      es.addEventListener("error", fallback);
    });
  }
  // A box that selects every row of a bulk decision's table; without script each row
  // is ticked on its own.
  document.querySelectorAll("table[data-select-all]").forEach(function (table) {
    var all = el("input"), rows = table.querySelectorAll("tbody input[type=checkbox]");
    all.type = "checkbox";
    all.setAttribute("aria-label", table.getAttribute("data-select-all"));
    all.addEventListener("change", function () { rows.forEach(function (cb) { cb.checked = all.checked; }); });
    table.querySelector("thead th").append(" ", all);
  });
  // A form that comes back with errors: focus on their summary, which lists them in the
  // form's order (autofocus does it too, where the browser honours it).
  var errors = document.getElementById("errors");
  if (errors) { errors.focus(); }

  // A city of the study chosen among the suggestions fills in its country, and says the
  // size the study gives it, where the contributor left them blank.
  var city = document.querySelector("input[list=known-cities]");
  if (city) {
    city.addEventListener("change", function () {
      var known = null;
      document.querySelectorAll("#known-cities option").forEach(function (o) { if (o.value === city.value) { known = o; } });
      var hint = document.getElementById("hint-city"), country = document.getElementById("country"), pop = document.getElementById("population");
      if (!known) { return; }
      if (country && !country.value) { country.value = known.getAttribute("data-country"); }
      if (pop && !pop.value && known.getAttribute("data-population")) { pop.value = known.getAttribute("data-population"); }
      if (hint) { hint.textContent = hint.getAttribute("data-known").replace("%s", known.getAttribute("data-band")); }
    });
  }

  // "Copy link" on a practice page: the link stays shown and selectable without script.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    if (!navigator.clipboard) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
        var status = b.parentNode.querySelector(".copied");
        if (status) { status.textContent = b.getAttribute("data-copied"); }
      }).catch(function () {});
    });
  });

  // The report's print button; without script the browser's own print does the same.
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  function el(tag, cls) { var e = document.createElement(tag); if (cls) { e.className = cls; } return e; }
})();

/* On the static site, a widget panel is frozen: it shows the state it was saved in, and its controls
   need the Python kernel behind them. Say so above each one, with the chapter's Binder and Colab
   links (the same as the launch buttons at the top of the page), so the reader is one click away
   from a live panel. In Jupyter itself this script never runs, so the note never appears there. */
(function () {
  "use strict";
  function launchLinks() {
    var links = [];
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (/mybinder\.org\/v2\//.test(href) && !links.some(function (l) { return l.name === "Binder"; })) {
        links.push({name: "Binder", href: href});
      } else if (/colab\.research\.google\.com\//.test(href) && !links.some(function (l) { return l.name === "Colab"; })) {
        links.push({name: "Colab", href: href});
      }
    });
    return links;
  }
  function annotate() {
    var views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    if (!views.length) { return; }
    var links = launchLinks();
    var seen = new Set();
    views.forEach(function (script) {
      var output = script.closest(".cell_output") || script.parentElement;
      if (!output || seen.has(output)) { return; }
      seen.add(output);
      var note = document.createElement("p");
      note.className = "frozen-widget-note";
      note.setAttribute("role", "note");
      note.appendChild(document.createTextNode(
        "Frozen panel: it shows the state it was saved in. Its controls run Python, so they respond only in a live notebook" +
        (links.length ? ": open this chapter on " : ".")));
      links.forEach(function (link, i) {
        if (i > 0) { note.appendChild(document.createTextNode(" or ")); }
        var a = document.createElement("a");
        a.href = link.href; a.target = "_blank"; a.rel = "noopener"; a.textContent = link.name;
        note.appendChild(a);
      });
      if (links.length) { note.appendChild(document.createTextNode(".")); }
      output.parentNode.insertBefore(note, output);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", annotate);
  } else {
    annotate();
  }
})();

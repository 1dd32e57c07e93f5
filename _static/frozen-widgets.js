/* On the static site, a widget panel is frozen: it shows the state it was saved in, and its controls
   need the Python kernel behind them. So its controls are switched off (the build already disables
   them in the saved widget state, see _ext/course_site.py; this script makes sure of it for every
   control the widget manager draws), and a note above each panel says how to get a live one: the
   chapter's Binder and Colab links (the same as the launch buttons at the top of the page). In
   Jupyter itself this script never runs, so the controls stay live there. */
(function () {
  "use strict";
  // what a reader could otherwise click, drag or type into
  var CONTROLS = "input, select, textarea, button, .noUi-target, [contenteditable='true']";

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

  function switchOff(root) {
    root.querySelectorAll(CONTROLS).forEach(function (el) {
      if (el.matches("[contenteditable='true']")) {
        el.setAttribute("contenteditable", "false");
      } else if (el.matches(".noUi-target")) {
        el.setAttribute("disabled", "true");  // noUiSlider ignores pointer and keys while set
      } else {
        el.disabled = true;
      }
      el.setAttribute("aria-disabled", "true");
      el.title = "Frozen panel: open this chapter on Binder or Colab to use it";
    });
  }

  function note(links) {
    var p = document.createElement("p");
    p.className = "frozen-widget-note";
    p.setAttribute("role", "note");
    var strong = document.createElement("strong");
    strong.textContent = "Frozen panel.";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(
      " It shows the state it was saved in; its controls run Python, so they are switched off on this page. " +
      (links.length ? "To use them, open this chapter on " : "To use them, run this chapter's notebook in Jupyter.")));
    links.forEach(function (link, i) {
      if (i > 0) { p.appendChild(document.createTextNode(" or ")); }
      var a = document.createElement("a");
      a.href = link.href; a.target = "_blank"; a.rel = "noopener"; a.textContent = link.name;
      p.appendChild(a);
    });
    if (links.length) { p.appendChild(document.createTextNode(" and run it.")); }
    return p;
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
      output.classList.add("frozen-widget-panel");
      output.parentNode.insertBefore(note(links), output);
      // the widget manager draws the panel after this runs: switch off whatever it adds
      switchOff(output);
      new MutationObserver(function () { switchOff(output); })
        .observe(output, {childList: true, subtree: true});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", annotate);
  } else {
    annotate();
  }
})();

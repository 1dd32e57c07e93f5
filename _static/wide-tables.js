/* A table wider than the text column scrolls inside its own box (the theme's
   .pst-scrollable-table-container, and the HTML outputs of code cells). Such a table is drawn
   compact (smaller type, tighter cells: class "is-wide", course.css); if it is still wider than its
   box, a line above it says that more columns are to the side, since a phone shows no scroll bar.
   Both follow the window (a wider window, a turned phone). */
(function () {
  "use strict";
  var BOXES = ".bd-article .pst-scrollable-table-container, .bd-article .cell_output .output.text_html";

  function overflows(box) { return box.scrollWidth > box.clientWidth + 1; }

  function update() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      var table = box.querySelector("table");
      if (!table) { return; }
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("wide-table-hint")) {
        hint = document.createElement("p");
        hint.className = "wide-table-hint";
        hint.setAttribute("aria-hidden", "true");  // a screen reader reads the whole table anyway
        box.parentNode.insertBefore(hint, box);
      }
      box.classList.remove("is-wide");
      if (overflows(box)) { box.classList.add("is-wide"); }
      var columns = table.rows.length ? table.rows[0].cells.length : 0;
      var still = overflows(box);
      hint.hidden = !still;
      hint.textContent = still ? "This table is wider than the page: scroll or swipe it sideways to see all " +
        columns + " columns →" : "";
    });
  }

  var pending = null;
  function later() {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(update, 150);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", later);
})();

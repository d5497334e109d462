// robustkit report: sortable and filterable tables, no dependencies (the page works offline).
// Sorting: click a header (again to reverse). Numeric cells carry their value in data-v.
// Filtering: every word typed must appear in a row's text; "-word" excludes rows with it.
(function () {
  "use strict";

  function cellKey(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? NaN : ""; }
    if (numeric) {
      var v = parseFloat(cell.getAttribute("data-v"));
      return isNaN(v) ? NaN : v;
    }
    return (cell.getAttribute("data-v") || cell.textContent).trim().toLowerCase();
  }

  function sortTable(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var numeric = th.getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a, index, numeric), y = cellKey(b, index, numeric);
      // missing numbers sort last whichever the direction
      if (numeric && isNaN(x)) { return isNaN(y) ? 0 : 1; }
      if (numeric && isNaN(y)) { return -1; }
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function filterTable(table, query, counter) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (row) {
      var text = row.textContent.toLowerCase();
      var keep = words.every(function (w) {
        return w.charAt(0) === "-" && w.length > 1 ? text.indexOf(w.slice(1)) < 0
                                                   : text.indexOf(w) >= 0;
      });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    if (counter) { counter.textContent = shown + " of " + rows.length + " rows"; }
  }

  // the first data-sticky columns stay in view while a wide table scrolls sideways
  function stickColumns(table) {
    var n = parseInt(table.getAttribute("data-sticky") || "0", 10);
    if (!n) { return; }
    var lefts = [], left = 0, head = table.tHead.rows[0].cells;
    for (var i = 0; i < n && i < head.length; i += 1) {
      lefts.push(left);
      left += head[i].getBoundingClientRect().width;
    }
    Array.prototype.forEach.call(table.rows, function (row) {
      for (var j = 0; j < lefts.length && j < row.cells.length; j += 1) {
        row.cells[j].classList.add("rk-stuck");
        row.cells[j].style.left = lefts[j] + "px";
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sticky]"), stickColumns);
    Array.prototype.forEach.call(document.querySelectorAll("table.rk-table"), function (t) {
      Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th) {
        th.classList.add("rk-sortable");
        th.setAttribute("tabindex", "0");
        th.addEventListener("click", function () { sortTable(t, th); });
        th.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortTable(t, th); }
        });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("input.rk-filter"), function (inp) {
      var table = document.getElementById(inp.getAttribute("data-table"));
      var counter = document.getElementById(inp.getAttribute("data-table") + "-count");
      if (!table) { return; }
      inp.addEventListener("input", function () { filterTable(table, inp.value, counter); });
      filterTable(table, inp.value, counter);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

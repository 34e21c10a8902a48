/* On a phone, the main staff lists (`table.stack`) read as one card per row: each cell gets
 * its column's heading as `data-label`, printed before the value by the CSS. The explicit ARIA
 * roles keep the table's semantics for screen readers once the CSS changes the cells' display
 * (browsers drop them otherwise). Without JavaScript the table stays a table that scrolls. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("table.stack"), function (table) {
    var headings = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (g) {
      g.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.querySelectorAll("tr"), function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader"
                                                                           : "columnheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        if (headings[column] && !cell.hasAttribute("data-label") &&
            row.parentElement.tagName !== "THEAD") {
          cell.setAttribute("data-label", headings[column]);
        }
        column += parseInt(cell.getAttribute("colspan") || "1", 10);
      });
    });
    table.classList.add("is-stackable");
  });
}());

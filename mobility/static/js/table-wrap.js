/* A table wider than the screen scrolls inside its .table-wrap box: make that box reachable
 * and scrollable with the keyboard, and name it after the table's caption (WCAG 2.1.1). */
(function () {
  "use strict";
  function label(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var section = box.closest("section");
    var heading = section && section.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : document.title;
  }
  function update() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (box) {
      if (box.hasAttribute("data-static-tabindex")) { return; }
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.getAttribute("aria-label")) { box.setAttribute("aria-label", label(box)); }
      } else if (!box.hasAttribute("data-keep-focus")) {
        box.removeAttribute("tabindex");
      }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap[tabindex]"), function (b) {
    b.setAttribute("data-static-tabindex", "");
  });
  update();
  window.addEventListener("resize", update);
}());

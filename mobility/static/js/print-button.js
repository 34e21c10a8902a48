/* The "print" button of the person's sheet (a file, not an inline script: the
   Content-Security-Policy allows no inline script). */
(function () {
  var button = document.getElementById("print-sheet");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();

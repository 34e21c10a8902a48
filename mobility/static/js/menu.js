/* The staff menu on a phone: below 768 px the navigation and the account tools fold behind a
 * "Menu" button (a real <button aria-expanded aria-controls>). Without JavaScript the button
 * stays hidden and the menu stays open, so every page can still be reached. */
(function () {
  "use strict";
  var button = document.querySelector(".menu-button[aria-controls]");
  if (!button) { return; }
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) { return; }
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-closed", !open);
  }
  button.hidden = false;
  set(false);
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape (on the button or in the menu) closes the open menu, focus back on its button
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" &&
        window.getComputedStyle(button).display !== "none") {
      set(false);
      button.focus();
    }
  });
}());

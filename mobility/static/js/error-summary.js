/* The error summary of a refused form: focused when the page opens, so that a screen reader
 * reads it first; each of its links puts the focus in the field it names (a plain anchor only
 * scrolls), with the field's label in view. */
(function () {
  "use strict";
  function fieldFor(id) {
    var target = document.getElementById(id);
    if (!target) { return null; }
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return target; }
    return target.querySelector("input, select, textarea");  // a list of radio buttons
  }
  document.addEventListener("click", function (event) {
    // a refused form's error page: going back through the history keeps what was typed
    var back = event.target.closest("a[data-history-back]");
    if (back && window.history.length > 1 && document.referrer.indexOf(back.getAttribute("href")) !== -1) {
      event.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field]");
      if (!link) { return; }
      var field = fieldFor(link.getAttribute("data-field"));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    });
  });
})();

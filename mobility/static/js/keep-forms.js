/* Keep what a person typed in a form until the server has accepted it.
 *
 * If the session expired mid-form (sign-in again, or a refused, expired form), the page comes
 * back with the fields filled as they were. Values stay in this tab's sessionStorage only,
 * passwords and codes are never kept, and a successful save clears them.
 */
(function () {
  "use strict";
  var SKIP = /^(password|csrf_token|code|next)$/;
  function key(form, index) {
    return "keep:" + location.pathname + ":" + (form.getAttribute("action") || "") + ":" + index;
  }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP.test(el.name) && el.type !== "password" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "file";
    });
  }
  function save(form, index) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name + "=" + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    });
    try { sessionStorage.setItem(key(form, index), JSON.stringify(data)); } catch (e) { /* full */ }
  }
  function restore(form, index) {
    var raw = sessionStorage.getItem(key(form, index));
    if (!raw) { return; }
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        if (k in data) { el.checked = data[k]; }
      } else if (el.name in data && !el.value) {
        el.value = data[el.name];
      }
    });
  }
  // A submitted form is "pending" until the next page shows where it went: a page elsewhere
  // means the server accepted it (post/redirect/get), so its copy is dropped; the same page
  // (errors) or the sign-in pages (expired session) keep it.
  var pending = JSON.parse(sessionStorage.getItem("keep:pending") || "[]");
  var here = location.pathname;
  var signingIn = /^\/(login|portal\/)/.test(here);
  pending = pending.filter(function (item) {
    if (signingIn) { return true; }
    if (item.path !== here) { sessionStorage.removeItem(item.key); }
    return false;
  });
  sessionStorage.setItem("keep:pending", JSON.stringify(pending));

  var forms = document.querySelectorAll("form[method=post]:not([data-keep=no])");
  Array.prototype.forEach.call(forms, function (form, index) {
    if (!fields(form).length) { return; }
    restore(form, index);
    form.addEventListener("input", function () { save(form, index); });
    form.addEventListener("change", function () { save(form, index); });
    form.addEventListener("submit", function () {
      save(form, index);
      var list = JSON.parse(sessionStorage.getItem("keep:pending") || "[]");
      list.push({key: key(form, index), path: here});
      sessionStorage.setItem("keep:pending", JSON.stringify(list));
    });
  });
}());

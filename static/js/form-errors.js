// A form that comes back with errors: the focus goes to its error summary (or, without one, to the
// first invalid field), so a screen reader reads what is wrong and a keyboard starts there. A link of
// the summary focuses its field (a group of radio buttons: its first choice), not only scrolls to it.
(function () {
  "use strict";

  function focusable(target) {
    if (target.matches("input, select, textarea, button")) return target;
    return target.querySelector("input:not([type=hidden]), select, textarea") || target;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        var field = target.closest(".field") || target;
        field.scrollIntoView({ block: "center" });
        focusable(target).focus({ preventScroll: true });
      });
      return;
    }
    var invalid = document.querySelector("main [aria-invalid=true]");
    if (invalid) invalid.focus();
  });
})();

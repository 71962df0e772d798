// Buttons marked data-print print the page (no inline script: the pages run under a strict CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

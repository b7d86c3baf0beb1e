// A "Print" button (data-print) on the printable pages: a script file, as the CSP allows no inline handler.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

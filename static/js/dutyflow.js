/* Page behaviour without inline script (the Content-Security-Policy allows only files from the site):
   data-autosubmit  on a <select>: submit its form when the choice changes (the language switch);
   data-confirm     on a <form>: ask before submitting (deleting an item);
   data-print       on <body>: open the print dialog once the page has loaded (printable boards);
   data-print-now   on a <button>: open the print dialog (print-ready pages). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) { field.form.submit(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print-now]")) { window.print(); }
  });
  window.addEventListener("load", function () {
    if (document.body && document.body.hasAttribute("data-print")) { window.print(); }
  });
})();

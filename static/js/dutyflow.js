/* Page behaviour without inline script (the Content-Security-Policy allows only files from the site):
   data-autosubmit  on a <select>: submit its form when the choice changes (the language switch);
   data-confirm     on a <form>: ask before submitting (deleting an item);
   data-print       on <body>: open the print dialog once the page has loaded (printable boards). */
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
  window.addEventListener("load", function () {
    if (document.body && document.body.hasAttribute("data-print")) { window.print(); }
  });
})();

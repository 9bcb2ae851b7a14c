/* Page behaviour without inline script (the Content-Security-Policy allows only files from the site):
   data-autosubmit  on a <select>: submit its form when the choice changes (the language switch);
   data-confirm     on a <form>, or on the button that submits it: ask before submitting, naming
                    what will happen (publishing, cards, closing, cancelling, deleting);
   data-confirm-field="name" with data-confirm-<value>: ask only for some choices of that field
                    (a yellow or red card, not a reminder);
   data-print       on <body>: open the print dialog once the page has loaded (printable boards);
   data-print-now   on a <button>: open the print dialog (print-ready pages);
   data-preview     on an <input type=file>: show the chosen files (photos as thumbnails) before upload;
   .menu-toggle / .navgroup-title: the phone menu and the desktop menu groups;
   table.table:     each cell gets its column's header as data-label (shown on a phone's cards). */
(function () {
  "use strict";

  function closeGroups(except) {
    document.querySelectorAll(".navgroup-title[aria-expanded=true]").forEach(function (button) {
      if (button !== except) { button.setAttribute("aria-expanded", "false"); }
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (target && target.classList.contains("menu-toggle")) {
      var menu = document.getElementById(target.getAttribute("aria-controls"));
      var open = target.getAttribute("aria-expanded") !== "true";
      target.setAttribute("aria-expanded", open ? "true" : "false");
      if (menu) { menu.classList.toggle("open", open); }
      return;
    }
    if (target && target.classList.contains("navgroup-title")) {
      var expanded = target.getAttribute("aria-expanded") === "true";
      closeGroups(target);
      target.setAttribute("aria-expanded", expanded ? "false" : "true");
      return;
    }
    if (!event.target.closest || !event.target.closest(".navgroup")) { closeGroups(null); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeGroups(null); }
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) { field.form.submit(); }
    if (field.matches && field.matches("input[type=file][data-preview]")) { preview(field); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || (form.getAttribute && form.getAttribute("data-confirm"));
    var choice = form.getAttribute && form.getAttribute("data-confirm-field");
    if (!question && choice && form.elements[choice]) {
      question = form.getAttribute("data-confirm-" + form.elements[choice].value);
    }
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print-now]")) { window.print(); }
  });

  function preview(input) {
    var box = document.getElementById(input.getAttribute("data-preview"));
    if (!box) { return; }
    box.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.addEventListener("load", function () { URL.revokeObjectURL(img.src); });
        box.appendChild(img);
      } else {
        var span = document.createElement("span");
        span.className = "file";
        span.textContent = file.name;
        box.appendChild(span);
      }
    });
  }

  function labelTables() {
    document.querySelectorAll("table.table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      if (!headers.length) { return; }
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && !cell.hasAttribute("colspan") && headers[index]) { cell.setAttribute("data-label", headers[index]); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", labelTables);

  window.addEventListener("load", function () {
    if (document.body && document.body.hasAttribute("data-print")) { window.print(); }
  });
})();

/* Behaviour the templates ask for with data attributes, so that no page needs an inline script
   or event handler (the Content-Security-Policy allows scripts from static files only).

   data-auto-submit      on a <select> or <input>: submit its form when it changes
   data-print            on a link or button: open the print dialog
   data-confirm="text"   on a <form>: ask before submitting
   data-history-back     on a link: go back (the link's href is the fallback)
   data-mark-all="value" on a button, with data-target="#form": tick that radio in every row
                         of the form that has none ticked yet
*/
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-auto-submit]");
    if (field && field.form) {
      if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });

  document.addEventListener("click", function (event) {
    var printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    var back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    var marker = event.target.closest("[data-mark-all]");
    if (marker) {
      var form = document.querySelector(marker.getAttribute("data-target"));
      if (!form) { return; }
      var value = marker.getAttribute("data-mark-all");
      form.querySelectorAll("tbody tr").forEach(function (row) {
        if (!row.querySelector("input[type=radio]:checked")) {
          var radio = row.querySelector("input[type=radio][value='" + value + "']");
          if (radio) { radio.checked = true; }
        }
      });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();

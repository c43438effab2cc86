/* Formset rows: add, move up/down and remove (with undo) without losing typed text.
   Markup: [data-formset=prefix] > [data-formset-list] > [data-formset-row]*, a
   <template data-formset-empty> holding the empty form, a [data-formset-add] button.
   Row order goes to the hidden ORDER inputs; removal ticks the hidden DELETE box. */
(function () {
  "use strict";

  function initFormset(box) {
    var prefix = box.dataset.formset;
    var list = box.querySelector("[data-formset-list]");
    var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = box.querySelector("template[data-formset-empty]");
    var addButton = box.querySelector("[data-formset-add]");

    function rows() { return Array.prototype.slice.call(list.querySelectorAll(":scope > [data-formset-row]")); }

    function renumber() {
      var n = 1;
      rows().forEach(function (row) {
        var order = row.querySelector("input[name$='-ORDER']");
        var del = row.querySelector("input[name$='-DELETE']");
        var removed = del && del.checked;
        row.classList.toggle("is-removed", !!removed);
        if (order) order.value = removed ? "" : n;
        var label = row.querySelector("[data-row-number]");
        if (label) label.textContent = removed ? "" : n;
        if (!removed) n += 1;
      });
      var count = box.querySelector("[data-formset-count]");
      if (count) count.textContent = n - 1;
    }

    if (addButton && template) {
      addButton.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        list.insertAdjacentHTML("beforeend", html);
        total.value = index + 1;
        renumber();
        var row = rows()[rows().length - 1];
        var first = row && row.querySelector("input[type=text], textarea");
        if (first) first.focus();
      });
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-row-action]");
      if (!button || !list.contains(button)) return;
      event.preventDefault();
      var row = button.closest("[data-formset-row]");
      var action = button.dataset.rowAction;
      var del = row.querySelector("input[name$='-DELETE']");
      if (action === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (action === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      } else if (action === "remove" && del) {
        del.checked = true;
      } else if (action === "undo" && del) {
        del.checked = false;
      }
      renumber();
      if (action === "up" || action === "down") {
        button.focus();
        row.scrollIntoView({ block: "nearest" });
      }
    });

    renumber();
  }

  // Preview opens the document in place; warn before leaving with unsaved input.
  function guardUnsaved(form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  // After a failed save, bring the first field at fault into view.
  function showFirstError() {
    var field = document.querySelector("form .is-invalid");
    if (!field) return;
    var row = field.closest("[data-formset-row]");
    if (row) row.classList.remove("is-removed");
    window.setTimeout(function () {
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
    }, 50);
  }

  document.querySelectorAll("[data-formset]").forEach(initFormset);
  if (document.readyState === "complete") showFirstError();
  else window.addEventListener("load", showFirstError);
  document.querySelectorAll("form[data-guard-unsaved]").forEach(guardUnsaved);
})();

/* Taking a theory test (考学): each answer is posted when it changes (htmx, hx-trigger=change on
   the question's form); when the connection drops the answer is kept in this page and posted
   again as soon as the phone is back online, and going to another question waits for it. The
   countdown shows the time left (the server keeps the real limit) and hands the paper in at 0.

   data-test-timer="seconds"   the countdown; data-submit-url the hand-in form's action
*/
(function () {
  "use strict";
  var pending = {};

  function status(form, text, bad) {
    var box = form.querySelector("[data-save-status]");
    if (box) { box.textContent = text; box.classList.toggle("text-danger", !!bad); }
  }

  function retry() {
    Object.keys(pending).forEach(function (key) {
      var form = pending[key];
      if (window.htmx) { window.htmx.trigger(form, "change"); }
    });
  }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target.closest("form[data-answer]");
    if (!form) { return; }
    pending[form.id] = form;
    status(form, form.getAttribute("data-offline-text"), true);
  });
  // A refused answer (409: handed in, not an option...): the server's words in the status line.
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.target.closest("form[data-answer]");
    if (!form) { return; }
    delete pending[form.id];
    var box = form.querySelector("[data-save-status]");
    if (box) { box.innerHTML = event.detail.xhr.responseText; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest("form[data-answer]");
    if (form && event.detail.successful) { delete pending[form.id]; }
  });
  window.addEventListener("online", retry);
  setInterval(retry, 15000);

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-wait-saved]");
    if (link && Object.keys(pending).length) {
      event.preventDefault();
      retry();
      alert(link.getAttribute("data-wait-saved"));
    }
  });

  var timer = document.querySelector("[data-test-timer]");
  if (timer) {
    var left = parseInt(timer.getAttribute("data-test-timer"), 10);
    var deadline = Date.now() + left * 1000;
    var tick = function () {
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      timer.textContent = minutes + ":" + String(seconds % 60).padStart(2, "0");
      timer.classList.toggle("text-danger", seconds < 120);
      if (seconds === 0) {
        clearInterval(handle);
        var form = document.getElementById("hand-in");
        if (form) { setTimeout(function () { form.submit(); }, 1500); }
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();

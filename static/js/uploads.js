// Upload fields (studygroup.uploads.UploadField): warn before sending a file bigger than the
// field accepts. The server checks again; this only saves a long wait for a refusal.
(function () {
  "use strict";

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function feedback(input) {
    var box = input.parentNode.querySelector(".upload-size-feedback");
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback d-block upload-size-feedback";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    var box = feedback(input);
    if (file && limit && file.size > limit) {
      box.textContent = (input.getAttribute("data-too-large") || "")
        .replace("{name}", file.name)
        .replace("{size}", sizeText(file.size));
      input.classList.add("is-invalid");
      input.value = "";
    } else {
      box.textContent = "";
      input.classList.remove("is-invalid");
    }
  });
})();

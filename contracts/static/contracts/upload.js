// Upload with a progress bar: send the form with XMLHttpRequest, show upload progress,
// then put the server's report in place. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var field = document.getElementById("upload-progress-field");
  var bar = document.getElementById("upload-progress");
  var text = document.getElementById("upload-progress-text");
  var button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    field.hidden = false;
    bar.value = 0;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        text.textContent = percent + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server checks the lines
      text.textContent = form.dataset.checking || "…";
    });
    xhr.addEventListener("load", function () {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var report = page.getElementById("upload-report");
      var fresh = page.getElementById("upload-form");
      if (report) { document.getElementById("upload-report").replaceWith(report); }
      if (fresh) {
        // Field errors (no file chosen, ...) come back in the form itself.
        form.querySelectorAll(".field-errors, .errors").forEach(function (n) { n.remove(); });
        fresh.querySelectorAll(".field.invalid").forEach(function (n) {
          var input = n.querySelector("input");
          var mine = input && form.querySelector("#" + input.id);
          var errors = n.querySelector(".field-errors");
          if (mine && errors) { mine.closest(".field").appendChild(errors); }
        });
      }
      bar.value = 100;
      text.textContent = "100%";
      button.disabled = false;
      var target = document.getElementById("upload-report");
      if (target && target.firstElementChild) { target.scrollIntoView({ behavior: "smooth", block: "start" }); }
    });
    xhr.addEventListener("error", function () {
      text.textContent = form.dataset.failed || "!";
      button.disabled = false;
    });
    xhr.send(new FormData(form));
  });
})();

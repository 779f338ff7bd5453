/* Evidence file uploads with a progress bar per file (portfolio/templates/portfolio/_files.html).
 *
 * Without this script the upload forms post normally (multipart) and the page reloads with messages. With it,
 * each chosen file goes in its own request, one after another, with a <progress> that reaches 100%; the server
 * answers with the re-rendered file panel (#evidence-files), which replaces the old one. The list of progress
 * bars is kept across those swaps. Loaded with `defer`; safe to load twice.
 */
(function () {
  "use strict";
  if (window.evidenceUploads) {
    return;
  }
  window.evidenceUploads = true;

  var PANEL = "evidence-files";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function progressList() {
    var panel = document.getElementById(PANEL);
    return panel ? panel.querySelector("[data-upload-progress]") : null;
  }

  function addRow(list, file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    var bar = document.createElement("progress");
    var figure = document.createElement("span");
    var outcome = document.createElement("span");
    name.textContent = file.name;
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    figure.className = "progress-figure";
    figure.textContent = "Waiting";
    outcome.setAttribute("role", "status");
    item.append(name, bar, figure, outcome);
    list.appendChild(item);
    return { item: item, name: file.name, bar: bar, figure: figure, outcome: outcome };
  }

  /* The file's end: a full bar only for a file that was added; a refused one loses its bar, so that nothing
     on screen (or in the accessibility tree) suggests it arrived. */
  function finish(row, text, ok) {
    row.item.classList.add(ok ? "upload-added" : "upload-refused");
    if (ok) {
      row.bar.value = 100;
      row.bar.setAttribute("aria-label", row.name + ": added");
    } else {
      row.bar.remove();
    }
    row.figure.textContent = ok ? "Added" : "Not added";
    row.outcome.textContent = text;
    row.outcome.className = ok ? "message success" : "message error";
  }

  /* Put the server's panel in place of ours, keeping our list of progress bars; returns the per-file results. */
  function swapPanel(html, list) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.getElementById(PANEL);
    var current = document.getElementById(PANEL);
    if (!fresh || !current) {
      return null;
    }
    var results = Array.prototype.map.call(fresh.querySelectorAll("[data-file-result]"), function (item) {
      return { ok: item.getAttribute("data-file-result") === "added", text: item.textContent.trim() };
    });
    var shown = fresh.querySelector("[data-file-results]");
    if (shown) {
      shown.remove(); // each result is shown beside its progress bar instead
    }
    fresh = document.adoptNode(fresh);
    var placeholder = fresh.querySelector("[data-upload-progress]");
    if (placeholder && list) {
      placeholder.replaceWith(list);
    }
    current.replaceWith(fresh);
    if (window.htmx) {
      window.htmx.process(fresh);
    }
    return results;
  }

  function explain(xhr) {
    if (xhr.responseURL && xhr.responseURL.indexOf("/accounts/login") !== -1) {
      return "Your session has ended: sign in again, then upload the file again.";
    }
    if (xhr.status === 403) {
      return "The files of this evidence cannot be changed now (it may have been submitted). Reload the page.";
    }
    if (xhr.status === 404) {
      return "This evidence or file is no longer available to you. Reload the page.";
    }
    return "The upload failed (error " + xhr.status + "). Try again; if it keeps failing, tell your assessor.";
  }

  function send(action, field, token, file, row, list) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token);
      data.append(field, file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", action);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          var percent = Math.floor((event.loaded / event.total) * 100);
          row.bar.value = percent;
          row.figure.textContent = percent + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        row.bar.value = 100;
        row.bar.setAttribute("aria-label", "Checking " + file.name);
        row.figure.textContent = "Sent; checking the file…";
      });
      xhr.addEventListener("load", function () {
        var results = xhr.status === 200 || xhr.status === 400 ? swapPanel(xhr.responseText, list) : null;
        if (results && results.length) {
          var ok = results.every(function (result) { return result.ok; });
          finish(row, results.map(function (result) { return result.text; }).join(" "), ok);
        } else {
          finish(row, explain(xhr), false);
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        finish(row, "The connection was lost before the file was received. Try again.", false);
        resolve();
      });
      xhr.send(data);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-upload-form]") : null;
    var list = progressList();
    var input = form && form.querySelector("input[type=file]");
    if (!form || !list || !input || !window.FormData || !input.files.length) {
      return; // the form posts as it would without JavaScript
    }
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    var action = form.action;
    var token = csrfToken(form);
    var maxBytes = Number(form.getAttribute("data-max-bytes")) || Infinity;
    var maxLabel = form.getAttribute("data-max-label") || "";
    Array.prototype.forEach.call(form.querySelectorAll("button, input"), function (control) {
      control.disabled = true;
    });
    list.replaceChildren();
    list.hidden = false;
    var rows = files.map(function (file) { return addRow(list, file); });
    var queue = Promise.resolve();
    files.forEach(function (file, index) {
      queue = queue.then(function () {
        if (file.size > maxBytes) {
          finish(rows[index], "“" + file.name + "” was not uploaded: it is larger than the " + maxLabel +
            " limit for one file. Make it smaller or split it, then upload it again.", false);
          return null;
        }
        return send(action, input.name, token, file, rows[index], list);
      });
    });
    queue.then(function () {
      var next = document.getElementById("evidence-files-input");
      if (next && (document.activeElement === document.body || !document.activeElement)) {
        next.focus();
      }
      if (document.body.contains(form)) {
        form.reset();
        Array.prototype.forEach.call(form.querySelectorAll("button, input"), function (control) {
          control.disabled = false;
        });
      }
    });
  });
})();

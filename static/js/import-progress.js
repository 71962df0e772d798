/* Progress of an officials file being checked or saved: polls the import's status JSON and moves the
   bar; when the work is done, opens the preview. Without JavaScript the page refreshes itself (a meta
   refresh inside <noscript>) and has a "Refresh" link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("[data-import-bar]");
  var percent = box.querySelector("[data-import-percent]");
  var message = box.querySelector("[data-import-message]");
  var running = ["uploaded", "validating", "applying"];
  var delay = 1000;

  function show(data) {
    var value = Math.max(0, Math.min(100, Number(data.progress) || 0));
    if (bar) {
      bar.value = value;
      bar.textContent = value + "%";
    }
    if (percent) {
      percent.textContent = String(value);
    }
    if (message && data.message) {
      message.textContent = data.message;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (running.indexOf(data.status) === -1) {
          window.location.assign(data.preview_url);
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A network hiccup: try again, more slowly, rather than give up.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();

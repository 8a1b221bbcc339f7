// Keeps a running import's page current: asks the server how far the import has got every
// second, moves the progress bar and its text, and reloads the page when the import ends.
// Without JavaScript the page shows the progress of its load; refreshing it shows more.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || typeof window.fetch !== "function") {
    return;
  }
  var url = box.getAttribute("data-import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-import-text]");
  function tick() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) {
          window.setTimeout(tick, 3000);
          return;
        }
        if (p.status === "done" || p.status === "failed") {
          window.location.reload();
          return;
        }
        if (p.total > 0) {
          bar.max = p.total;
          bar.value = p.done;
          text.textContent = p.done.toLocaleString("en-US") + " of " + p.total.toLocaleString("en-US") + " rows imported";
        }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
})();

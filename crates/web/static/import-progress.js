// Keeps a running import's page current: listens to the import's progress stream
// (server-sent events read from the import's row, so any server answers it), moves the
// progress bar and its text, and reloads the page when the import ends or stops.
// Without JavaScript the page shows the progress of its load; refreshing it shows more.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || typeof window.EventSource !== "function") {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-import-text]");
  var source = new window.EventSource(box.getAttribute("data-import-progress"));
  source.addEventListener("progress", function (e) {
    var p;
    try { p = JSON.parse(e.data); } catch (err) { return; }
    if (p.status !== "checking" && p.status !== "running") {
      source.close();
      window.location.reload();
      return;
    }
    if (p.total > 0) {
      bar.max = p.total;
      bar.value = p.done;
      text.textContent = p.done.toLocaleString("en-US") + " of " + p.total.toLocaleString("en-US") +
        (p.status === "checking" ? " rows checked" : " rows imported");
    }
  });
})();

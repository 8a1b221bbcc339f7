// Live totals on an estimate: when an optional line is ticked or unticked, ask the server
// for the page with that choice and swap in its totals and the approval form's choice.
// Without JavaScript the "Update totals" button does the same with a page load.
(function () {
  'use strict';
  var form = document.getElementById('estimate-options');
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
  var pending = 0;
  form.addEventListener('change', function () {
    var params = new URLSearchParams(new FormData(form));
    var url = form.getAttribute('action') + '?' + params.toString();
    var ticket = ++pending;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        if (ticket !== pending) return; // a newer change is on its way
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        ['estimate-totals', 'approve-choice'].forEach(function (id) {
          var next = fresh.getElementById(id);
          var here = document.getElementById(id);
          if (next && here) here.replaceWith(document.importNode(next, true));
        });
        window.history.replaceState(null, '', url);
      })
      .catch(function () { /* the button still works */ });
  });
})();

// The queue refreshes itself every 3 seconds (new arrivals within 5 s) by fetching the same page and swapping in its
// #queue section; the server renders and encodes every value. The request says it is a refresh, so it keeps no idle
// session open; a refresh that lands on the sign-in page (the session ended) takes the browser there.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  if (!queue || !window.fetch || !window.DOMParser) { return; }
  function refresh() {
    fetch(window.location.href, { headers: { "X-Console-Refresh": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text().then(function (text) { return { response: response, text: text }; }); })
      .then(function (result) {
        var page = new DOMParser().parseFromString(result.text, "text/html");
        var fresh = page.getElementById("queue");
        if (!fresh) { window.location.assign(result.response.url); return; }
        if (fresh.innerHTML !== queue.innerHTML && !queue.contains(document.activeElement)) {
          queue.replaceWith(fresh);
          queue = fresh;
        }
      })
      .catch(function () { /* the next round tries again */ });
  }
  window.setInterval(refresh, 3000);
}());

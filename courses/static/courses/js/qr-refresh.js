// Renews the trainer's check-in QR code: each image carries a token valid for a short time.
(function () {
  "use strict";
  var img = document.getElementById("checkin-qr");
  if (!img) { return; }
  var base = img.getAttribute("data-src");
  var every = parseInt(img.getAttribute("data-refresh") || "20", 10) * 1000;
  var counter = document.getElementById("qr-countdown");
  var left = every / 1000;
  function refresh() {
    img.src = base + "?r=" + Date.now();
    left = every / 1000;
  }
  setInterval(refresh, every);
  setInterval(function () {
    left = Math.max(0, left - 1);
    if (counter) { counter.textContent = String(left); }
  }, 1000);
})();

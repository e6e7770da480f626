// On wide screens the facet groups start open; on phones they stay folded above the results.
(function () {
  if (window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
    document.querySelectorAll("details.facet").forEach(function (el) {
      el.open = true;
    });
  }
})();

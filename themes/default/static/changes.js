// Narrows a page of changes to the classes ticked, and keeps the choice (`?class=…`) in the
// address and in the links to other pages of changes. Without JavaScript the form stays
// hidden and the page shows every version.
(function () {
  "use strict";
  var form = document.querySelector(".class-filter");
  if (!form) return;
  var boxes = form.querySelectorAll("input[name=class]");
  var list = document.querySelector(".changes-list");
  var links = document.querySelectorAll(".pager a, .filter-list a");

  function chosen() {
    var out = [];
    boxes.forEach(function (b) { if (b.checked) out.push(b.value); });
    return out;
  }

  function apply() {
    var keep = chosen();
    var narrowed = keep.length < boxes.length;
    list.querySelectorAll("[data-class]").forEach(function (el) {
      el.hidden = keep.indexOf(el.getAttribute("data-class")) < 0;
    });
    list.querySelectorAll(".fold").forEach(function (fold) {
      var shown = fold.querySelectorAll("[data-class]:not([hidden])").length;
      fold.querySelector(".fold-count").textContent = shown;
      fold.hidden = shown === 0;
      // Narrowed to quiet versions, the folds are what the reader asked to see.
      if (narrowed) fold.querySelector("details").open = true;
    });
    var query = narrowed ? "?class=" + keep.join(",") : "";
    history.replaceState(null, "", location.pathname + query + location.hash);
    links.forEach(function (a) {
      a.search = query;
    });
  }

  var asked = new URLSearchParams(location.search).get("class");
  if (asked !== null) {
    var wanted = asked.split(",");
    boxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  apply();
})();

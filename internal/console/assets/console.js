// tollgate console: keyboard shortcuts, copy buttons, clickable rows and
// the live tail. Everything works without it except copying and the tail.
(function () {
  "use strict";

  // Rows with data-href open their page on click and on Enter.
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-href]")); }
  document.addEventListener("click", function (e) {
    var tr = e.target.closest && e.target.closest("tr[data-href]");
    if (!tr || e.target.closest("a, button, input, select, summary")) return;
    location.href = tr.getAttribute("data-href");
  });

  // Copy buttons copy the text of the element their data-copy names.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-copy]");
    if (!b) return;
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el) return;
    var text = el.textContent;
    var done = function () { b.textContent = "copied"; setTimeout(function () { b.textContent = "copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var ta = document.createElement("textarea");
      ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand("copy"); done(); } catch (err) { /* nothing to do */ }
      document.body.removeChild(ta);
    }
  });

  // Selects with data-submit send their form when they change.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-submit]")) e.target.form.submit();
  });

  // Keys: g then f/r/q/c goes to a page; / focuses the filter or editor;
  // j and k move through the rows, Enter opens one; ? lists the keys.
  var pending = "", sel = -1;
  function select(i) {
    var rs = rows();
    if (!rs.length) return;
    sel = Math.max(0, Math.min(rs.length - 1, i));
    rs.forEach(function (r) { r.classList.remove("sel"); });
    rs[sel].classList.add("sel");
    var a = rs[sel].querySelector("a");
    (a || rs[sel]).focus();
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t.closest && t.closest("textarea")) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.form) { e.preventDefault(); t.form.submit(); }
      return;
    }
    if (t.closest && t.closest("input, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (pending === "g") {
      pending = "";
      var to = { f: "/failures", r: "/requests", q: "/query", c: "/config" }[e.key];
      if (to) { e.preventDefault(); location.href = to; }
      return;
    }
    switch (e.key) {
      case "g": pending = "g"; setTimeout(function () { pending = ""; }, 1200); break;
      case "/":
        var f = document.querySelector("[data-focus]");
        if (f) { e.preventDefault(); f.focus(); }
        break;
      case "j": select(sel + 1); break;
      case "k": select(sel - 1); break;
      case "?":
        var d = document.getElementById("keys");
        if (d && d.showModal) d.showModal();
        break;
    }
  });

  // The live tail: on the newest page of /requests, refresh the rows.
  var live = document.getElementById("live");
  if (live) {
    var body = document.getElementById("rows");
    var tick = function () {
      if (!live.checked || document.hidden) return;
      var u = body.getAttribute("data-src");
      fetch(u + (u.indexOf("?") < 0 ? "?" : "&") + "rows=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) body.innerHTML = html; });
    };
    setInterval(tick, 3000);
  }
})();

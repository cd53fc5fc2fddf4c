/* tcpdiagram: zoom and pan for the inline diagrams (mouse, touch, keyboard) and the scenario player.
   Static files only: the player's data is in the page (script#tcp-player-data), made by the build from the
   simulation it ran. Without this script every page shows every diagram whole, as a plain figure. */
(function () {
  "use strict";
  var MAX = 8;

  var ICONS = { /* Material Design icons (Apache-2.0), drawn inline: no font needs the glyphs */
    full: "M7 14H5v5h5v-2H7zm-2-4h2V7h3V5H5zm12 7h-3v2h5v-5h-2zM14 5v2h3v3h2V5z",
    close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
    first: "M6 6h2v12H6zm3.5 6 8.5 6V6z"
  };

  function icon(name) {
    return '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="' +
      ICONS[name] + '"/></svg>';
  }

  function button(bar, text, label, handler) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tcp-button md-button";
    if (ICONS[text]) b.innerHTML = icon(text); else b.textContent = text;
    b.title = label;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", handler);
    bar.appendChild(b);
    return b;
  }

  /* ---- zoom and pan ------------------------------------------------------------------------------ */

  function Zoom(fig) {
    var svg = fig.querySelector(".tcp-view > svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var vb = svg.viewBox.baseVal;
    var home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };
    var d = fig.dataset;
    var bar = document.createElement("div");
    bar.className = "tcp-zoombar";
    var pointers = {}, moved = 0, pinch = null, last = null, opener = null;

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
      fig.classList.toggle("tcp-zoomed", view.w < home.w - 1e-6);
    }
    function clamp() {
      view.w = Math.min(home.w, Math.max(home.w / MAX, view.w));
      view.h = view.w * home.h / home.w;
      view.x = Math.min(home.x + home.w - view.w, Math.max(home.x, view.x));
      view.y = Math.min(home.y + home.h - view.h, Math.max(home.y, view.y));
    }
    function point(cx, cy) { /* client px -> svg units */
      var r = svg.getBoundingClientRect();
      var s = Math.max(view.w / r.width, view.h / r.height);
      var ox = (r.width * s - view.w) / 2, oy = (r.height * s - view.h) / 2;
      return { x: view.x - ox + (cx - r.left) * s, y: view.y - oy + (cy - r.top) * s, s: s };
    }
    function zoom(f, cx, cy) {
      var r = svg.getBoundingClientRect();
      var p = point(cx === undefined ? r.left + r.width / 2 : cx, cy === undefined ? r.top + r.height / 2 : cy);
      var w = Math.min(home.w, Math.max(home.w / MAX, view.w / f)), k = w / view.w;
      view.x = p.x - (p.x - view.x) * k;
      view.y = p.y - (p.y - view.y) * k;
      view.w = w;
      clamp();
      apply();
    }
    function reset() { view = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }
    function full(on) {
      fig.classList.toggle("tcp-full", on);
      document.documentElement.classList.toggle("tcp-noscroll", on);
      fullBtn.innerHTML = icon(on ? "close" : "full");
      fullBtn.title = on ? d.labelZoomClose : d.labelZoomFull;
      fullBtn.setAttribute("aria-label", fullBtn.title);
      fullBtn.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { opener = document.activeElement; fullBtn.focus(); }
      else { reset(); if (opener && opener.focus) opener.focus(); }
    }
    button(bar, "+", d.labelZoomIn, function () { zoom(1.5); });
    button(bar, "−", d.labelZoomOut, function () { zoom(1 / 1.5); });
    button(bar, "1:1", d.labelZoomReset, reset);
    var fullBtn = button(bar, "full", d.labelZoomFull, function () { full(!fig.classList.contains("tcp-full")); });
    fullBtn.classList.add("tcp-fullscreen");
    fullBtn.setAttribute("aria-pressed", "false");
    var hint = document.createElement("span");
    hint.className = "tcp-hint";
    hint.textContent = d.labelZoomHint;
    bar.appendChild(hint);
    fig.insertBefore(bar, fig.firstChild);
    fig.tcpZoom = { zoom: zoom, reset: reset, full: full };

    var area = fig.querySelector(".tcp-view");
    area.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey || fig.classList.contains("tcp-full"))) return;
      e.preventDefault();
      zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX, e.clientY);
    }, { passive: false });
    area.addEventListener("pointerdown", function (e) {
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      var ids = Object.keys(pointers);
      moved = 0;
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), w: view.w };
      }
      last = { x: e.clientX, y: e.clientY };
    });
    area.addEventListener("pointermove", function (e) {
      if (!pointers[e.pointerId]) return;
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      var ids = Object.keys(pointers);
      if (ids.length === 2 && pinch) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var dist = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinch.dist > 0) zoom(view.w / (pinch.w * pinch.dist / dist), (a.x + b.x) / 2, (a.y + b.y) / 2);
        moved += 10;
        e.preventDefault();
        return;
      }
      if (ids.length !== 1 || !last || !fig.classList.contains("tcp-zoomed")) return;
      var s = point(0, 0).s;
      view.x -= (e.clientX - last.x) * s;
      view.y -= (e.clientY - last.y) * s;
      moved += Math.abs(e.clientX - last.x) + Math.abs(e.clientY - last.y);
      last = { x: e.clientX, y: e.clientY };
      if (moved > 4 && area.setPointerCapture) area.setPointerCapture(e.pointerId);
      clamp();
      apply();
      e.preventDefault();
    });
    function up(e) {
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      last = null;
    }
    area.addEventListener("pointerup", up);
    area.addEventListener("pointercancel", up);
    area.addEventListener("click", function (e) { /* a drag is not a click on a state */
      if (moved > 4) { e.preventDefault(); e.stopPropagation(); moved = 0; }
    }, true);
    fig.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && fig.classList.contains("tcp-full")) { full(false); e.stopPropagation(); }
      else if ((e.key === "+" || e.key === "=") && e.target.closest(".tcp-zoombar")) zoom(1.5);
      else if (e.key === "-" && e.target.closest(".tcp-zoombar")) zoom(1 / 1.5);
    });
  }

  /* ---- the scenario player ----------------------------------------------------------------------- */

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }

  function figureOf(key) {
    return document.querySelector('.tcp-figure[data-diagram="' + key + '"]');
  }

  function byId(fig, id) {
    return fig ? document.getElementById(fig.dataset.diagram + "--" + id) : null;
  }

  function Player(box, data) {
    var d = box.dataset;
    var chart = figureOf(data.chart), path = figureOf(data.path);
    var table = document.querySelector(".tcp-steps table");
    var rows = table ? table.querySelectorAll("tbody tr") : [];
    var all = data.start.show.slice();
    data.steps.forEach(function (s) { all = all.concat(s.show); });
    var pos = null; /* null: everything shown (the page as without script); -1: the start; 0..n-1: a step */
    var status = document.createElement("p");
    status.className = "tcp-status";
    status.setAttribute("aria-live", "polite");
    var bar = document.createElement("div");
    bar.className = "tcp-playbar";
    var title = document.createElement("strong");
    title.textContent = d.labelPlayer;
    bar.appendChild(title);
    button(bar, "first", d.labelPlayerReset, function () { go(-1); }).classList.add("tcp-reset");
    var prev = button(bar, "◀ " + d.labelPlayerPrev, d.labelPlayerPrev, function () { go(pos === null ? -1 : pos - 1); });
    var next = button(bar, d.labelPlayerNext + " ▶", d.labelPlayerNext, function () { go(pos === null ? 0 : pos + 1); });
    button(bar, d.labelPlayerAll, d.labelPlayerAll, function () { go(null); }).classList.add("tcp-all");
    prev.classList.add("tcp-prev");
    next.classList.add("tcp-next");
    box.appendChild(bar);
    box.appendChild(status);
    box.hidden = false;

    function mark(fig, id, cls, on) {
      var el = byId(fig, id);
      if (el) el.classList.toggle(cls, on);
    }
    function clear(fig, cls) {
      if (!fig) return;
      fig.querySelectorAll("." + cls).forEach(function (el) { el.classList.remove(cls); });
    }
    function go(i) {
      var n = data.steps.length;
      if (i !== null) i = Math.max(-1, Math.min(n - 1, i));
      pos = i;
      var shown = {}, fresh = {};
      data.start.show.forEach(function (id) { shown[id] = true; });
      for (var k = 0; i !== null && k <= i; k++) {
        data.steps[k].show.forEach(function (id) { shown[id] = true; if (k === i) fresh[id] = true; });
      }
      all.forEach(function (id) {
        mark(chart, id, "tcp-hidden", i !== null && !shown[id]);
        mark(chart, id, "tcp-new", i !== null && !!fresh[id]);
      });
      ["tcp-at-a", "tcp-at-b", "tcp-fired-a", "tcp-fired-b"].forEach(function (c) { clear(path, c); });
      var step = i === null ? null : i < 0 ? data.start : data.steps[i];
      if (chart) chart.classList.toggle("tcp-playing", i !== null);
      if (path) {
        path.classList.toggle("tcp-playing", i !== null);
        path.dataset.nowA = step ? step.states.A : "";
        path.dataset.nowB = step ? step.states.B : "";
      }
      if (step) {
        mark(path, step.nodes.A, "tcp-at-a", true);
        mark(path, step.nodes.B, "tcp-at-b", true);
        (step.fired || []).forEach(function (f) { mark(path, f.edge, "tcp-fired-" + f.peer.toLowerCase(), true); });
      }
      for (var r = 0; r < rows.length; r++) {
        rows[r].classList.toggle("tcp-row-now", i !== null && r === i);
        rows[r].classList.toggle("tcp-row-future", i !== null && r > i);
      }
      if (i !== null && i >= 0 && rows[i] && rows[i].scrollIntoView && box.dataset.scrolled === "1") {
        rows[i].scrollIntoView({ block: "nearest" });
      }
      prev.disabled = i === -1;
      next.disabled = i !== null && i >= n - 1;
      status.textContent = !step ? "" : i < 0
        ? fmt(d.labelPlayerStart, { a: step.states.A, b: step.states.B })
        : fmt(d.labelPlayerStep, { n: i + 1, total: n, time: step.time, a: step.states.A, b: step.states.B });
      box.dataset.pos = i === null ? "all" : String(i);
    }
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (e.key === "ArrowRight") { go(pos === null ? 0 : pos + 1); e.preventDefault(); }
      else if (e.key === "ArrowLeft" && pos !== null) { go(pos - 1); e.preventDefault(); }
    });
    go(null);
  }

  function start() {
    document.querySelectorAll(".tcp-figure").forEach(function (fig) { if (!fig.tcpZoom) Zoom(fig); });
    var data = document.getElementById("tcp-player-data"), box = document.querySelector(".tcp-player");
    if (data && box && !box.dataset.ready) {
      box.dataset.ready = "1";
      Player(box, JSON.parse(data.textContent));
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

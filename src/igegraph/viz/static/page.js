// igegraph's page script: hover labels, fit-to-screen, the search box.
// vis-network's `network`, `nodes` and `edges` are defined by the page before this runs; their
// tooltips are plain-text titles (vis-network shows a string title as text).
(function () {
  "use strict";
  // nodes drawn without their label (large views) show it while hovered, at the labels' size
  var quiet = {};
  network.on("hoverNode", function (e) {
    var n = nodes.get(e.node);
    if (n && n.hoverLabel) {
      if (!(n.id in quiet)) { quiet[n.id] = n.font.size; }
      nodes.update({id: n.id, label: n.name, font: {size: n.hoverFont}});
    }
  });
  network.on("blurNode", function (e) {
    var n = nodes.get(e.node);
    if (n && n.hoverLabel) { nodes.update({id: n.id, label: " ", font: {size: quiet[n.id]}}); }
  });
  // the legend strip takes what it needs under the canvas
  var legend = document.getElementById("ig-legend");
  var card = document.querySelector(".card");
  card.style.bottom = legend.offsetHeight + "px";
  // a screen too small for the panel and the legend leaves the graph no room, where vis-network
  // never draws: say so (a picture of it could never become ready)
  if (card.clientWidth < 40 || card.clientHeight < 40) { window.__igegraphNoRoom = true; }
  network.setSize("100%", "100%");
  // fit the nodes' boxes (labels included) to the canvas, closer than vis-network's own fit
  function fitAll() {
    var l = Infinity, r = -Infinity, t = Infinity, b = -Infinity;
    network.body.nodeIndices.forEach(function (id) {
      var box = network.getBoundingBox(id);
      l = Math.min(l, box.left); r = Math.max(r, box.right); t = Math.min(t, box.top); b = Math.max(b, box.bottom);
    });
    var frame = document.getElementById("mynetwork");
    var pad = 14;
    var scale = Math.min((frame.clientWidth - 2 * pad) / Math.max(r - l, 1),
                         (frame.clientHeight - 2 * pad) / Math.max(b - t, 1), 1.2);
    network.moveTo({position: {x: (l + r) / 2, y: (t + b) / 2}, scale: scale, animation: false});
  }
  window.igegraphFit = fitAll;
  setTimeout(function () {
    fitAll();
    network.once("afterDrawing", function () { window.__igegraphReady = true; });
    network.redraw();
  }, 0);
  var input = document.getElementById("ig-search");
  var list = document.getElementById("ig-search-list");
  var status = document.getElementById("ig-search-status");
  var labels = [];
  nodes.forEach(function (n) { labels.push([String(n.name).toLowerCase(), n.id, String(n.name)]); });
  labels.sort(function (a, b) { return a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0); });
  labels.forEach(function (row) { var o = document.createElement("option"); o.value = row[2]; list.appendChild(o); });
  function find() {
    var q = input.value.trim().toLowerCase();
    if (!q) { status.textContent = ""; network.unselectAll(); return; }
    var exact = labels.filter(function (r) { return r[0] === q; });
    var hits = exact.length ? exact : labels.filter(function (r) { return r[0].indexOf(q) >= 0; });
    if (!hits.length) { status.textContent = "no match"; network.unselectAll(); return; }
    var ids = hits.map(function (r) { return r[1]; });
    network.selectNodes(ids);
    // a reader who asked for less motion gets the match at once, without the 400 ms zoom
    var calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    network.focus(ids[0], {scale: Math.max(network.getScale(), 1.0), animation: calm ? false : {duration: 400}});
    status.textContent = hits.length === 1 ? "1 match" : hits.length + " matches";
  }
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });
  window.igegraphFind = function (text) { input.value = text; find(); return status.textContent; };
})();

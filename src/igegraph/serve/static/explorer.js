// igegraph explorer: the SPARQL editor and the graph view. Everything from the data is written
// with textContent (never innerHTML), so labels and query results cannot inject markup.
(function () {
  "use strict";
  var ID = "https://w3id.org/igegraph/id/";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  async function problem(response) {
    try { var body = await response.json(); return body.detail || body.error; } catch (e) { return response.statusText; }
  }

  function term(t) {
    if (t.type === "uri" && t.value.indexOf(ID) === 0) {
      var a = el("a", "ig:" + t.value.slice(ID.length));
      a.href = "/entity/ig:" + encodeURIComponent(t.value.slice(ID.length));
      return a;
    }
    return document.createTextNode(t.value);
  }

  function sparqlEditor() {
    var run = document.getElementById("run");
    if (!run) { return; }
    var area = document.getElementById("sparql"), examples = document.getElementById("examples");
    var status = document.getElementById("status"), output = document.getElementById("output");
    examples.addEventListener("change", function () {
      var option = examples.selectedOptions[0];
      if (option && option.dataset.query) { area.value = option.dataset.query; }
    });
    run.addEventListener("click", async function () {
      status.textContent = "running…";
      status.className = "";
      output.replaceChildren();
      var response;
      try {
        response = await fetch("/sparql", {method: "POST", body: area.value, headers: {
          "Content-Type": "application/sparql-query",
          "Accept": "application/sparql-results+json, application/n-triples;q=0.9"}});
      } catch (e) { status.textContent = "the server did not answer"; status.className = "error"; return; }
      if (!response.ok) {
        status.textContent = "error " + response.status + ": " + await problem(response);
        status.className = "error";
        return;
      }
      if ((response.headers.get("content-type") || "").indexOf("application/n-triples") === 0) {
        var text = await response.text();
        output.append(el("pre", text));
        status.textContent = text.split("\n").filter(Boolean).length + " triples";
        return;
      }
      var data = await response.json();
      if ("boolean" in data) {
        output.append(el("p", String(data.boolean), "boolean"));
        status.textContent = "answer: " + data.boolean;
        return;
      }
      var table = el("table"), vars = data.head.vars;
      table.id = "results";
      var head = table.createTHead().insertRow();
      vars.forEach(function (v) { head.append(el("th", v)); });
      var body = table.createTBody();
      data.results.bindings.forEach(function (b) {
        var row = body.insertRow();
        vars.forEach(function (v) { var cell = row.insertCell(); if (b[v]) { cell.append(term(b[v])); } });
      });
      output.append(table);
      var cut = response.headers.get("x-result-truncated");
      status.textContent = data.results.bindings.length + " rows" + (cut ? " (cut off: " + cut + ")" : "");
    });
  }

  function graphView() {
    var box = document.getElementById("graph");
    if (!box || typeof vis === "undefined") { return; }
    var nodes = new vis.DataSet(), edges = new vis.DataSet();
    var network = new vis.Network(box, {nodes: nodes, edges: edges}, {
      interaction: {hover: true, tooltipDelay: 150},
      physics: {solver: "barnesHut", barnesHut: {gravitationalConstant: -4000, springLength: 140},
                stabilization: {iterations: 150}},
      nodes: {font: {size: 14}}, edges: {font: {size: 10, align: "middle"}, smooth: false}
    });
    var status = document.getElementById("graph-status"), input = document.getElementById("graph-term");
    var labels = true;
    // labels only when zoomed in far enough to read them
    network.on("zoom", function () {
      var show = network.getScale() >= 0.6;
      if (show !== labels) {
        labels = show;
        network.setOptions({nodes: {font: {size: show ? 14 : 0}}, edges: {font: {size: show ? 10 : 0}}});
      }
    });
    async function expand(name, reset) {
      status.textContent = "loading…";
      var response = await fetch("/api/graph?term=" + encodeURIComponent(name));
      if (!response.ok) { status.textContent = await problem(response); return; }
      var data = await response.json();
      if (reset) { nodes.clear(); edges.clear(); }
      nodes.update(data.nodes.map(function (n) {
        return {id: n.id, label: n.label, title: n.label + (n.category ? " (" + n.category + ")" : ""),
                color: n.color, shape: n.shape, borderWidth: n.id === data.center ? 3 : 1};
      }));
      edges.update(data.edges.map(function (e) {
        return {id: e.id, from: e.from, to: e.to, label: e.label, title: e.label, color: e.color,
                dashes: e.dashes, arrows: e.arrows, width: e.width};
      }));
      status.textContent = nodes.length + " entities · " + edges.length + " relations";
    }
    network.on("click", function (p) { if (p.nodes.length) { expand(p.nodes[0], false); } });
    network.on("doubleClick", function (p) {
      if (p.nodes.length) { window.location.href = "/entity/" + encodeURIComponent(p.nodes[0]); }
    });
    document.getElementById("graph-form").addEventListener("submit", function (e) {
      e.preventDefault();
      expand(input.value, true);
    });
    window.igegraphGraph = {network: network, nodes: nodes, edges: edges, expand: expand};
    expand(input.value, true);
  }

  document.addEventListener("DOMContentLoaded", function () { sparqlEditor(); graphView(); });
})();

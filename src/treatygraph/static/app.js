// Query editor for the treatygraph endpoint: plain textarea, no external scripts.
(function () {
  "use strict";
  const cfg = window.TREATYGRAPH;
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const examples = JSON.parse(document.getElementById("example-data").textContent);
  const picker = document.getElementById("examples");
  if (picker) {
    picker.addEventListener("change", function () {
      if (picker.value !== "") { textarea.value = examples[Number(picker.value)]; }
    });
  }

  function localHref(iri) {
    // Resource IRIs of this graph have local pages at /id/<slug>.
    if (iri.startsWith(cfg.namespace)) { return "/id/" + iri.slice(cfg.namespace.length); }
    return iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "literal") {
      td.appendChild(document.createTextNode(term.value));
      const extra = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? "^^" + term.datatype : "");
      if (extra) {
        const span = document.createElement("span");
        span.className = term["xml:lang"] ? "lang" : "dt";
        span.textContent = " " + extra;
        td.appendChild(span);
      }
    } else {
      td.textContent = JSON.stringify(term.value);
    }
    return td;
  }

  function renderJson(data) {
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.textContent = "ASK → " + data.boolean;
      return p;
    }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      const th = document.createElement("th");
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    const body = table.createTBody();
    data.results.bindings.forEach(function (row) {
      const tr = body.insertRow();
      data.head.vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    return table;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "Running…";
    results.textContent = "";
    const started = performance.now();
    fetch(cfg.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({query: textarea.value})
    }).then(function (resp) {
      return resp.text().then(function (text) { return {resp: resp, text: text}; });
    }).then(function (r) {
      const ms = Math.round(performance.now() - started);
      if (!r.resp.ok) {
        status.textContent = "Error " + r.resp.status + " (" + ms + " ms)";
        const pre = document.createElement("pre");
        pre.className = "error";
        pre.textContent = r.text;
        results.appendChild(pre);
        return;
      }
      const type = r.resp.headers.get("Content-Type") || "";
      if (type.indexOf("json") >= 0) {
        const data = JSON.parse(r.text);
        const n = data.results ? data.results.bindings.length : 1;
        status.textContent = n + " result(s) in " + ms + " ms";
        results.appendChild(renderJson(data));
      } else {
        status.textContent = "Graph result in " + ms + " ms";
        const pre = document.createElement("pre");
        pre.textContent = r.text;
        results.appendChild(pre);
      }
    }).catch(function (err) {
      status.textContent = "Request failed: " + err;
    });
  });
}());

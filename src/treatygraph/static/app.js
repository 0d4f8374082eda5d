// Query editor for the treatygraph endpoint: plain textarea, no external scripts, no inline
// script (the page's Content-Security-Policy allows only this file). Results read like a
// table a person can use: labels (one extra query), short names, local links, downloads.
(function () {
  "use strict";
  const LABEL_BATCH = 500; // IRIs whose labels one extra query asks for
  const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
  const SKOS = "http://www.w3.org/2004/02/skos/core#";

  function start() {
    const cfg = JSON.parse(document.getElementById("config").textContent);
    const examples = JSON.parse(document.getElementById("example-data").textContent);
    const form = document.getElementById("query-form");
    const textarea = document.getElementById("query");
    const status = document.getElementById("status");
    const results = document.getElementById("results");
    const links = document.getElementById("result-links");
    const picker = document.getElementById("examples");
    // longest namespace first, so tgid: wins over a shorter prefix of it
    const prefixes = Object.entries(cfg.prefixes).sort(function (a, b) { return b[1].length - a[1].length; });

    if (picker) {
      picker.addEventListener("change", function () {
        if (picker.value !== "") { textarea.value = examples[Number(picker.value)]; }
      });
    }

    function shortName(iri) {
      for (const [name, ns] of prefixes) {
        if (iri.startsWith(ns) && iri.length > ns.length) { return name + ":" + iri.slice(ns.length); }
      }
      return null;
    }

    // Where an IRI links: our own to their local pages, other http(s) IRIs to themselves, any
    // other scheme (javascript:, data:, ...) nowhere: it is shown as text.
    function href(iri) {
      if (iri.startsWith(cfg.namespace)) { return "/id/" + iri.slice(cfg.namespace.length); }
      if (iri.startsWith(cfg.ontology)) { return "/ontology#" + iri.slice(cfg.ontology.length); }
      if (iri === cfg.ontology.replace(/#$/, "")) { return "/ontology"; }
      if (iri.startsWith(cfg.graphs)) { return "/dumps/" + iri.slice(cfg.graphs.length) + ".ttl"; }
      return /^https?:\/\//i.test(iri) ? iri : null;
    }

    function iriCell(td, iri, labels) {
      const target = href(iri);
      const el = document.createElement(target === null ? "span" : "a");
      if (target !== null) { el.href = target; }
      el.className = "iri-term";
      el.title = iri;
      el.textContent = labels.get(iri) || shortName(iri) || iri;
      td.appendChild(el);
    }

    function literalCell(td, term) {
      td.appendChild(document.createTextNode(term.value));
      let extra = "";
      let full = "";
      if (term["xml:lang"]) {
        extra = "@" + term["xml:lang"];
      } else if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") {
        extra = shortName(term.datatype) || term.datatype;
        full = term.datatype;
      }
      if (extra) {
        const span = document.createElement("span");
        span.className = term["xml:lang"] ? "lang" : "dt";
        span.textContent = " " + extra;
        if (full) { span.title = full; }
        td.appendChild(span);
      }
    }

    function cell(term, labels) {
      const td = document.createElement("td");
      if (!term) { return td; }
      if (term.type === "uri") {
        iriCell(td, term.value, labels);
      } else if (term.type === "bnode") {
        td.textContent = "_:" + term.value;
      } else if (term.type === "literal" || term.type === "typed-literal") {
        literalCell(td, term);
      } else {
        td.textContent = JSON.stringify(term.value);
      }
      return td;
    }

    function table(data, labels) {
      const box = document.createElement("div");
      box.className = "result-scroll";
      const t = document.createElement("table");
      t.className = "results";
      const head = t.createTHead().insertRow();
      data.head.vars.forEach(function (v) {
        const th = document.createElement("th");
        th.textContent = "?" + v;
        head.appendChild(th);
      });
      const body = t.createTBody();
      data.results.bindings.forEach(function (row) {
        const tr = body.insertRow();
        data.head.vars.forEach(function (v) { tr.appendChild(cell(row[v], labels)); });
      });
      box.appendChild(t);
      return box;
    }

    function post(query, accept) {
      return fetch(cfg.endpoint, {
        method: "POST",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        body: new URLSearchParams({query: query})
      });
    }

    // rdfs:label or skos:prefLabel of the result's IRIs, in one query; a failure only means
    // the table shows short names instead.
    function fetchLabels(data) {
      const iris = new Set();
      data.results.bindings.forEach(function (row) {
        Object.values(row).forEach(function (t) {
          if (t.type === "uri" && !/[\s<>"{}|\\^`]/.test(t.value)) { iris.add(t.value); }
        });
      });
      const wanted = Array.from(iris).slice(0, LABEL_BATCH);
      if (wanted.length === 0) { return Promise.resolve(new Map()); }
      const query = "SELECT ?x (MIN(STR(?l)) AS ?label) WHERE { VALUES ?x { " +
        wanted.map(function (i) { return "<" + i + ">"; }).join(" ") + " } " +
        "?x <" + RDFS + "label>|<" + SKOS + "prefLabel> ?l } GROUP BY ?x";
      return post(query, "application/sparql-results+json").then(function (resp) {
        return resp.ok ? resp.json() : {results: {bindings: []}};
      }).then(function (out) {
        const labels = new Map();
        out.results.bindings.forEach(function (row) {
          if (row.x && row.label) { labels.set(row.x.value, row.label.value); }
        });
        return labels;
      }).catch(function () { return new Map(); });
    }

    function showLinks(query, kind) {
      const permalink = document.getElementById("permalink");
      permalink.href = "/?" + new URLSearchParams({query: query}).toString();
      const downloads = document.getElementById("downloads");
      downloads.textContent = "Download: ";
      cfg.formats[kind].forEach(function (name) {
        const a = document.createElement("a");
        a.href = cfg.endpoint + "?" + new URLSearchParams({query: query, format: name}).toString();
        a.textContent = name;
        a.setAttribute("download", "");
        downloads.appendChild(a);
        downloads.appendChild(document.createTextNode(" "));
      });
      links.hidden = false;
    }

    function run() {
      const query = textarea.value;
      status.textContent = "Running…";
      results.textContent = "";
      links.hidden = true;
      const started = performance.now();
      post(query, "application/sparql-results+json, text/turtle;q=0.9").then(function (resp) {
        return resp.text().then(function (text) { return {resp: resp, text: text}; });
      }).then(function (r) {
        const ms = Math.round(performance.now() - started);
        if (!r.resp.ok) {
          status.textContent = "Error " + r.resp.status + " (" + ms + " ms)";
          const pre = document.createElement("pre");
          pre.className = "error";
          pre.textContent = r.text;
          results.appendChild(pre);
          return null;
        }
        const type = r.resp.headers.get("Content-Type") || "";
        if (type.indexOf("json") < 0) {
          status.textContent = "Graph result in " + ms + " ms";
          const pre = document.createElement("pre");
          pre.textContent = r.text;
          results.appendChild(pre);
          showLinks(query, "graph");
          return null;
        }
        const data = JSON.parse(r.text);
        showLinks(query, "results");
        if (typeof data.boolean === "boolean") {
          status.textContent = "ASK in " + ms + " ms";
          const p = document.createElement("p");
          p.textContent = "ASK → " + data.boolean;
          results.appendChild(p);
          return null;
        }
        return fetchLabels(data).then(function (labels) {
          status.textContent = data.results.bindings.length + " result(s) in " + ms + " ms";
          results.appendChild(table(data, labels));
        });
      }).catch(function (err) {
        status.textContent = "Request failed: " + err;
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.replaceState(null, "", "/?" + new URLSearchParams({query: textarea.value}).toString());
      run();
    });

    // A permalink (/?query=...) reopens the page with that query and runs it.
    const asked = new URLSearchParams(window.location.search).get("query");
    if (asked) {
      textarea.value = asked;
      run();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());

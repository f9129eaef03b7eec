// flotilla's HTML report. Reads the JSON block #flotilla-data and draws the page. Every name,
// message and log line from the run goes into the page as text (textContent), never as markup.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("flotilla-data").textContent);
  var app = document.getElementById("app");
  var OUT = D.outcomes;
  var FAILING = { 1: true, 2: true, 5: true };
  var ROW_H = 24;

  // ---- small helpers -------------------------------------------------------------------
  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) {
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k) || props[k] == null) continue;
        if (k === "cls") el.className = props[k];
        else if (k === "text") el.textContent = props[k];
        else if (k === "title") el.title = props[k];
        else if (k === "href") safeHref(el, props[k]);
        else if (k === "id") el.id = props[k];
        else if (k === "onclick") el.addEventListener("click", props[k]);
        else el.setAttribute(k, props[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  // Only relative paths and file: URLs become links (no javascript: or remote schemes).
  function safeHref(el, href) {
    var scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
    if (!scheme || scheme[1].toLowerCase() === "file") el.setAttribute("href", href);
  }
  function secs(s) {
    if (s == null || isNaN(s)) return "–";
    if (s < 1) return Math.round(s * 1000) + " ms";
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + " s";
    var m = Math.floor(s / 60), r = Math.round(s - m * 60);
    if (m < 60) return m + "m " + r + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }
  function pct(x) { return (x * 100).toFixed(0) + "%"; }
  function suiteOf(t) { return D.suites[t[1]]; }
  function fileOf(t) { return D.files[t[2]]; }
  function nameOf(t) { return t[3] || D.files[t[2]]; }
  function outcomeOf(t) { return OUT[t[4]]; }
  function badge(outcome) { return h("span", { cls: "badge o-" + outcome, text: outcome.replace("_", " ") }); }
  function section(id, title) {
    var s = h("section", { id: id }, h("h2", { text: title }));
    app.appendChild(s);
    return s;
  }
  function multi() { return D.runs.length > 1; }
  function runLabel(r) { return multi() ? "node " + (r + 1) + " (" + D.runs[r].run_id + ")" : D.runs[r].run_id; }

  // ---- ANSI colours → spans ------------------------------------------------------------
  function ansi(text) {
    var frag = document.createDocumentFragment();
    var state = { b: false, d: false, i: false, u: false, f: -1, g: -1 };
    // CSI sequences (colours kept, the rest dropped) and OSC sequences (dropped).
    var re = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
    var last = 0, m;
    function flush(upto) {
      if (upto <= last) return;
      var chunk = text.slice(last, upto);
      var cls = [];
      if (state.b) cls.push("a-b"); if (state.d) cls.push("a-d");
      if (state.i) cls.push("a-i"); if (state.u) cls.push("a-u");
      if (state.f >= 0) cls.push("a-f" + state.f); if (state.g >= 0) cls.push("a-g" + state.g);
      if (cls.length) frag.appendChild(h("span", { cls: cls.join(" "), text: chunk }));
      else frag.appendChild(document.createTextNode(chunk));
    }
    while ((m = re.exec(text)) !== null) {
      flush(m.index);
      last = re.lastIndex;
      if (m[2] !== "m") continue;
      var codes = (m[1] || "0").split(";").map(function (c) { return parseInt(c, 10) || 0; });
      for (var i = 0; i < codes.length; i++) {
        var c = codes[i];
        if (c === 0) state = { b: false, d: false, i: false, u: false, f: -1, g: -1 };
        else if (c === 1) state.b = true; else if (c === 2) state.d = true;
        else if (c === 3) state.i = true; else if (c === 4) state.u = true;
        else if (c === 22) { state.b = false; state.d = false; }
        else if (c === 23) state.i = false; else if (c === 24) state.u = false;
        else if (c >= 30 && c <= 37) state.f = c - 30; else if (c >= 90 && c <= 97) state.f = c - 90;
        else if (c === 39) state.f = -1;
        else if (c >= 40 && c <= 47) state.g = c - 40; else if (c >= 100 && c <= 107) state.g = c - 100;
        else if (c === 49) state.g = -1;
        else if (c === 38 || c === 48) { i += codes[i + 1] === 5 ? 2 : 4; }
      }
    }
    flush(text.length);
    return frag;
  }

  // Long output is folded: the tail is what explains a failure.
  function output(text, keep) {
    keep = keep || 30;
    var lines = text.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    var pre = h("pre", { cls: "out" });
    var wrap = h("div", null);
    if (lines.length > keep) {
      var hidden = lines.length - keep;
      var more = h("button", { text: "show " + hidden + " earlier lines" });
      more.addEventListener("click", function () {
        pre.textContent = ""; pre.appendChild(ansi(lines.join("\n"))); more.remove();
      });
      wrap.appendChild(more);
      pre.appendChild(ansi(lines.slice(hidden).join("\n")));
    } else {
      pre.appendChild(ansi(lines.join("\n")));
    }
    wrap.appendChild(pre);
    return wrap;
  }

  function linkTo(link) {
    if (!link) return null;
    return link.href ? h("a", { href: link.href, text: link.path }) : h("span", { cls: "mono", text: link.path });
  }

  // ---- header ---------------------------------------------------------------------------
  function total(field) { return D.runs.reduce(function (s, r) { return s + (r.counts[field] || 0); }, 0); }
  function overallVerdict() {
    var order = ["environment_failed", "interrupted", "failed", "passed"];
    for (var i = 0; i < order.length; i++) {
      for (var r = 0; r < D.runs.length; r++) if (D.runs[r].verdict === order[i]) return order[i];
    }
    return "passed";
  }
  function header() {
    var verdict = overallVerdict();
    var head = h("header", { cls: "verdict v-" + verdict });
    head.appendChild(h("h1", { id: "verdict", text: verdict.replace("_", " ").toUpperCase() }));
    var counts = h("div", { cls: "counts" });
    [["passed", "passed", 0], ["failed", "failed", 1], ["error", "errors", 2], ["timed_out", "timed out", 5],
     ["flaky", "flaky", 4], ["skipped", "skipped", 3], ["muted", "muted", 6], ["cached", "cached", 7]].forEach(function (c) {
      var n = total(c[0]);
      if (n === 0 && c[0] !== "passed" && c[0] !== "failed") return;
      counts.appendChild(h("a", { cls: "chip o-" + c[0], href: "#status=" + OUT[c[2]] + "&go=tests" },
        h("b", { text: String(n) }), c[1]));
    });
    counts.appendChild(h("span", { cls: "chip" }, h("b", { text: String(total("total")) }), "tests"));
    head.appendChild(counts);
    D.runs.forEach(function (run, r) {
      var meta = h("div", { cls: "meta" });
      if (multi()) meta.appendChild(h("b", { text: runLabel(r) }));
      else meta.appendChild(h("span", null, "run ", h("b", { text: run.run_id })));
      meta.appendChild(h("span", { text: "started " + run.started_at }));
      meta.appendChild(h("span", { text: "took " + secs(run.duration) + " (predicted " + secs(run.predicted) + ")" }));
      meta.appendChild(h("span", { text: run.workers + " workers" }));
      meta.appendChild(h("span", { text: "timing history for " + pct(run.timing_match) + " of tests" }));
      if (run.first_failure_at != null) meta.appendChild(h("span", { text: "first failure after " + secs(run.first_failure_at) }));
      if (run.exit_code != null) meta.appendChild(h("span", { text: "exit code " + run.exit_code }));
      if (run.interrupted) meta.appendChild(h("span", { cls: "o-flaky", text: "interrupted" }));
      head.appendChild(meta);
    });
    var toc = h("nav", { cls: "toc" });
    [["failures", "Failures"], ["flaky", "Flaky"], ["quarantined", "Quarantined"], ["problems", "Problems"],
     ["timeline", "Timeline"], ["tests", "All tests"], ["slowest", "Slowest"], ["trends", "Trends"]].forEach(function (t) {
      toc.appendChild(h("a", { href: "#go=" + t[0], text: t[1] }));
    });
    head.appendChild(toc);
    app.appendChild(head);
  }

  // ---- failures, flaky, quarantined ------------------------------------------------------
  function logsOf(job, box) {
    var tails = D.logs[job];
    var row = D.jobs[job];
    if (row && row[11]) {
      box.appendChild(h("div", null, "environment diagnostics (ps, logs, inspect): ", linkTo(row[11])));
    }
    if (!tails) {
      box.appendChild(h("div", { cls: "note", text: row && row[10] === 0 ? "the job printed nothing" : "output not embedded here; see the job's logs in the run folder" }));
      return;
    }
    tails.forEach(function (tail) {
      var label = h("div", { cls: "sub" }, tail.stream + ": ", linkTo(tail.link));
      if (tail.skipped > 0) label.appendChild(h("span", { text: " (last 64 KiB shown, " + tail.skipped + " bytes before)" }));
      box.appendChild(label);
      if (tail.text) box.appendChild(output(tail.text));
    });
  }
  function recentOf(detail) {
    var recent = detail.recent || [];
    if (!recent.length) return null;
    var box = h("span", { cls: "recent", title: "previous runs, oldest first" });
    recent.forEach(function (o) { box.appendChild(h("i", { cls: "r-" + (o || "none"), title: o || "not in that run" })); });
    var failingNow = true, streak = 1;
    for (var i = recent.length - 1; i >= 0; i--) {
      if (/^(failed|error|timed_out)$/.test(recent[i])) streak++; else break;
    }
    var seen = recent.filter(function (o) { return o; });
    var flaky = seen.filter(function (o) { return o === "flaky"; }).length;
    var words;
    if (streak > 1) words = "failing for " + streak + " runs";
    else if (seen.length && failingNow) words = "new failure";
    else words = "";
    if (flaky) words += (words ? ", " : "") + "flaky " + flaky + " of " + seen.length;
    return h("span", { cls: "note" }, box, " " + words);
  }
  function attemptBox(detail, a, box) {
    box.textContent = "";
    var kv = h("div", { cls: "kv" });
    function pair(k, v) { kv.appendChild(h("span", { text: k })); kv.appendChild(h("span", null, v)); }
    pair("outcome", badge(a.outcome));
    pair("where", "worker " + a.worker + ", job " + a.job + ", attempt " + a.attempt + ", " + secs(a.duration));
    var job = D.jobs[a.job];
    if (job) pair("job ended", job[8] + (job[9] ? " — " + job[9] : ""));
    if (job) pair("job ran", job[7].map(function (f) { return D.files[f]; }).join(", "));
    box.appendChild(kv);
    if (a.message) box.appendChild(h("pre", { cls: "message", text: a.message }));
    logsOf(a.job, box);
  }
  function card(detail, kind) {
    var t = D.tests[detail.test];
    var outcome = outcomeOf(t);
    var c = h("article", { cls: "card " + kind, id: "d-" + detail.test });
    c.appendChild(h("h3", null, badge(outcome), h("span", { cls: "name", text: nameOf(t) })));
    var sub = h("div", { cls: "sub" }, "suite ", h("b", { text: suiteOf(t) }), " · ", h("span", { cls: "mono", text: detail.id }));
    if (multi()) sub.appendChild(document.createTextNode(" · " + runLabel(t[0])));
    var recent = recentOf(detail);
    if (recent) sub.appendChild(recent);
    c.appendChild(sub);
    if (detail.outside_tests) c.appendChild(h("div", { cls: "note", text: "an error outside any test (collection, import or build): it is not retried" }));
    if (detail.quarantine) {
      c.appendChild(h("div", { cls: "note", text: detail.quarantine === "mute"
        ? "quarantined (mute): it ran and is reported, but its failure does not fail the run"
        : "quarantined (skip): it was not run" }));
    }
    if (detail.rerun) {
      var code = h("code", { text: detail.rerun });
      var copy = h("button", { text: "copy" });
      copy.addEventListener("click", function () {
        var done = function () { copy.textContent = "copied"; };
        try {
          if (navigator.clipboard) navigator.clipboard.writeText(detail.rerun).then(done, function () { selectText(code); });
          else selectText(code);
        } catch (e) { selectText(code); }
      });
      c.appendChild(h("div", { cls: "rerun" }, h("span", { cls: "note", text: "re-run:" }), code, copy));
    }
    var body = h("div", null);
    if (detail.attempts.length > 1) {
      var tabs = h("div", { cls: "tabs", role: "tablist" });
      var buttons = [];
      detail.attempts.forEach(function (a, i) {
        var b = h("button", { cls: "o-" + a.outcome, text: "attempt " + a.attempt + ": " + a.outcome.replace("_", " ") });
        b.addEventListener("click", function () {
          buttons.forEach(function (x) { x.classList.remove("on"); });
          b.classList.add("on");
          attemptBox(detail, a, body);
        });
        buttons.push(b);
        tabs.appendChild(b);
      });
      c.appendChild(tabs);
      // Open on the attempt that failed: for a flaky test, the first; else the last.
      var open = kind === "flaky" ? 0 : detail.attempts.length - 1;
      for (var i = 0; i < detail.attempts.length; i++) if (/failed|error|timed_out/.test(detail.attempts[i].outcome)) { open = i; if (kind === "flaky") break; }
      buttons[open].classList.add("on");
      attemptBox(detail, detail.attempts[open], body);
    } else if (detail.attempts.length) {
      attemptBox(detail, detail.attempts[0], body);
    }
    c.appendChild(body);
    return c;
  }
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  function detailLists() {
    var failures = [], flaky = [], quarantined = [];
    D.details.forEach(function (d) {
      var code = D.tests[d.test][4];
      if (FAILING[code]) failures.push(d);
      else if (code === 4) flaky.push(d);
      else quarantined.push(d);
    });
    var s = section("failures", "Failures (" + failures.length + ")");
    if (!failures.length) s.appendChild(h("p", { cls: "note", text: "No test failed." }));
    failures.forEach(function (d) { s.appendChild(card(d, "fail")); });
    if (D.details_left_out) s.appendChild(h("p", { cls: "note", text: D.details_left_out + " more tests worth reading are left out of this page; summary.json has them all." }));
    s = section("flaky", "Flaky (" + flaky.length + ")");
    if (!flaky.length) s.appendChild(h("p", { cls: "note", text: "No test passed only on a retry." }));
    flaky.forEach(function (d) { s.appendChild(card(d, "flaky")); });
    s = section("quarantined", "Muted and quarantined (" + quarantined.length + ")");
    if (!quarantined.length) s.appendChild(h("p", { cls: "note", text: "No quarantined test ran or was skipped." }));
    quarantined.forEach(function (d) { s.appendChild(card(d, "muted")); });
  }

  function problems() {
    var s = section("problems", "Environments, steps and warnings");
    var any = false;
    D.runs.forEach(function (run, r) {
      var prefix = multi() ? runLabel(r) + ": " : "";
      run.envs.forEach(function (env) {
        any = true;
        var line = h("div", { cls: env.error ? "warn" : "" }, prefix + "environment ", h("b", { text: env.name }),
          env.ready != null ? " ready after " + secs(env.ready - env.start) : "",
          env.down_end != null ? ", torn down in " + secs(env.down_end - env.down_start) : "");
        if (env.error) line.appendChild(h("pre", { text: env.error }));
        if (env.diagnostics) line.appendChild(h("div", null, "diagnostics (ps, logs, inspect): ", linkTo(env.diagnostics)));
        env.problems.forEach(function (p) { line.appendChild(h("div", { cls: "o-flaky", text: p })); });
        s.appendChild(line);
      });
      if (run.steps.length) {
        any = true;
        var table = h("table", null, h("tr", null, h("th", { text: "step" }), h("th", { text: "kind" }), h("th", { text: "outcome" }), h("th", { cls: "num", text: "time" })));
        run.steps.forEach(function (st) {
          table.appendChild(h("tr", null, h("td", { cls: "name", text: prefix + st.name }), h("td", { text: st.cleanup ? "cleanup" : st.kind }),
            h("td", null, badge(st.outcome)), h("td", { cls: "num", text: secs(st.duration) })));
        });
        s.appendChild(table);
      }
      run.warnings.forEach(function (w) { any = true; s.appendChild(h("div", { cls: "warn", text: prefix + w })); });
      if (run.not_run.length) {
        any = true;
        var box = h("div", { cls: "warn" }, prefix + run.not_run.length + " file(s) did not run (interrupted):");
        var ul = h("ul", null);
        run.not_run.slice(0, 200).forEach(function (n) { ul.appendChild(h("li", { cls: "mono", text: n[0] + ": " + n[1] })); });
        box.appendChild(ul);
        s.appendChild(box);
      }
    });
    if (!any) s.appendChild(h("p", { cls: "note", text: "No environments, steps or warnings." }));
  }

  // ---- timeline --------------------------------------------------------------------------
  var MAX_BARS = 4000;
  function timeline() {
    var s = section("timeline", "Timeline");
    s.appendChild(h("div", { cls: "legend" },
      legendItem("var(--bar)", "job"), legendItem("var(--bar-fail)", "job with failures"),
      legendItem("var(--bar-retry)", "retry"), legendItem("var(--env)", "environment up / down"),
      legendItem("var(--step)", "step"), h("span", { text: "hatched: idle · dotted tick: the job's predicted end · hover a bar for its files" })));
    var end = 0;
    D.runs.forEach(function (run) { end = Math.max(end, run.duration, run.predicted); });
    D.jobs.forEach(function (j) { end = Math.max(end, j[4] + j[5]); });
    if (!(end > 0)) end = 1;
    function at(x) { return (Math.max(0, x) / end * 100) + "%"; }
    var box = h("div", { cls: "timeline" });
    var failingJobs = {};
    D.tests.forEach(function (t) { if (FAILING[t[4]] || t[4] === 6) failingJobs[t[7]] = true; });
    D.details.forEach(function (d) { d.attempts.forEach(function (a) { if (/failed|error|timed_out/.test(a.outcome)) failingJobs[a.job] = true; }); });
    var drawn = 0;
    D.runs.forEach(function (run, r) {
      if (multi()) box.appendChild(h("div", { cls: "group", text: runLabel(r) }));
      if (run.envs.length || run.steps.some(function (st) { return st.start != null; })) {
        var lane = h("div", { cls: "lane" }, h("span", { cls: "label", text: "env / steps" }));
        run.envs.forEach(function (env) {
          var up = env.ready != null ? env.ready : (env.down_start != null ? env.down_start : env.start);
          lane.appendChild(bar("bar env" + (env.error ? " failed" : ""), env.start, up, env.name + " up" + (env.ready != null ? ", ready after " + secs(env.ready - env.start) : "") + (env.error ? ": " + env.error : "")));
          if (env.down_start != null) lane.appendChild(bar("bar env down", env.down_start, env.down_end, env.name + " down, " + secs(env.down_end - env.down_start)));
        });
        run.steps.forEach(function (st) {
          if (st.start != null) lane.appendChild(bar("bar step", st.start, st.start + st.duration, "step " + st.name + ": " + st.outcome + ", " + secs(st.duration)));
        });
        box.appendChild(lane);
      }
      var lanes = [];
      for (var w = 1; w <= Math.max(1, run.workers); w++) {
        lanes[w] = h("div", { cls: "lane" }, h("span", { cls: "label", text: "worker " + w }));
        box.appendChild(lanes[w]);
      }
      var firstStart = null;
      D.jobs.forEach(function (j, i) {
        if (j[0] !== r) return;
        if (firstStart == null || j[4] < firstStart) firstStart = j[4];
        if (drawn >= MAX_BARS) return;
        drawn++;
        var lane = lanes[j[2]];
        if (!lane) { lanes[j[2]] = lane = h("div", { cls: "lane" }, h("span", { cls: "label", text: "worker " + j[2] })); box.appendChild(lane); }
        var files = j[7].map(function (f) { return D.files[f]; });
        var shown = files.slice(0, 30).join("\n") + (files.length > 30 ? "\n… and " + (files.length - 30) + " more" : "");
        var cls = "bar" + (failingJobs[i] ? " fail" : j[3] > 1 ? " retry" : "");
        lane.appendChild(bar(cls, j[4], j[4] + j[5],
          D.suites[j[1]] + " · job " + i + (j[3] > 1 ? " · retry " + (j[3] - 1) : "") + " · " + j[8] +
          "\n" + secs(j[4]) + " → " + secs(j[4] + j[5]) + " (" + secs(j[5]) + ", predicted " + secs(j[6]) + ")\n" + shown));
        var tick = h("div", { cls: "est", title: "predicted end of job " + i });
        tick.style.left = at(j[4] + j[6]);
        lane.appendChild(tick);
      });
      if (firstStart != null) marker(box, "pred", firstStart + run.predicted, (multi() ? "node " + (r + 1) + " " : "") + "predicted end " + secs(firstStart + run.predicted));
      marker(box, "", run.duration, (multi() ? "node " + (r + 1) + " " : "") + "ended " + secs(run.duration));
      if (run.first_failure_at != null) marker(box, "fail", run.first_failure_at, "first failure");
      if (run.interrupting_at != null) marker(box, "int", run.interrupting_at, "interrupt");
    });
    function bar(cls, from, to, title) {
      var b = h("div", { cls: cls, title: title });
      b.style.left = at(from);
      b.style.width = "calc(" + at(Math.max(0, to - from)) + " + 0px)";
      return b;
    }
    var axis = h("div", { cls: "axis" });
    var step = niceStep(end / 8);
    for (var x = 0; x <= end + 1e-9; x += step) {
      var tick = h("span", { text: secs(x) });
      tick.style.left = at(x);
      axis.appendChild(tick);
    }
    box.appendChild(axis);
    s.appendChild(box);
    if (drawn < D.jobs.length) s.appendChild(h("p", { cls: "note", text: "Showing the first " + drawn + " of " + D.jobs.length + " jobs." }));
  }
  function legendItem(color, text) {
    var i = h("i", null);
    i.style.background = color;
    return h("span", null, i, text);
  }
  function marker(box, cls, x, label) {
    var m = h("div", { cls: "marker " + cls, title: label }, h("span", { text: label }));
    m.dataset.at = x;
    box.appendChild(m);
  }
  function placeMarkers() {
    // Markers sit over the lanes' area, which starts after the labels' padding.
    var box = document.querySelector(".timeline");
    if (!box) return;
    var lane = box.querySelector(".lane");
    if (!lane) return;
    var left = lane.offsetLeft, width = lane.offsetWidth;
    var end = 0;
    D.runs.forEach(function (run) { end = Math.max(end, run.duration, run.predicted); });
    D.jobs.forEach(function (j) { end = Math.max(end, j[4] + j[5]); });
    if (!(end > 0)) end = 1;
    box.querySelectorAll(".marker").forEach(function (m) {
      var x = Math.min(1, Number(m.dataset.at) / end);
      m.style.left = (left + width * x) + "px";
      // Labels near the right edge grow leftwards, so they stay inside the box.
      if (x > 0.8) m.classList.add("right");
    });
  }
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var n = raw / p;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * p;
  }

  // ---- all tests: filters in the URL, a list that draws what is in view -------------------
  var filters = { status: "", suite: "", file: "", worker: "", q: "", node: "", sort: "" };
  var shown = [];
  var list, spacer, countLabel, controls = {};
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    Object.keys(filters).forEach(function (k) { filters[k] = params.get(k) || ""; });
    return params.get("go");
  }
  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(filters).forEach(function (k) { if (filters[k]) params.set(k, filters[k]); });
    var hash = params.toString();
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }
  function matches(t) {
    var f = filters;
    if (f.status) {
      if (f.status === "failing") { if (!FAILING[t[4]]) return false; }
      else if (OUT[t[4]] !== f.status) return false;
    }
    if (f.suite && D.suites[t[1]] !== f.suite) return false;
    if (f.worker && String(t[6]) !== f.worker) return false;
    if (f.node && String(t[0] + 1) !== f.node) return false;
    if (f.file && D.files[t[2]].toLowerCase().indexOf(f.file.toLowerCase()) < 0) return false;
    if (f.q) {
      var q = f.q.toLowerCase();
      if ((t[3] || "").toLowerCase().indexOf(q) < 0 && D.files[t[2]].toLowerCase().indexOf(q) < 0 && D.suites[t[1]].toLowerCase().indexOf(q) < 0) return false;
    }
    return true;
  }
  var RANK = [3, 0, 0, 4, 1, 0, 2];
  function applyFilters() {
    shown = [];
    for (var i = 0; i < D.tests.length; i++) if (matches(D.tests[i])) shown.push(i);
    if (filters.sort === "duration") shown.sort(function (a, b) { return D.tests[b][5] - D.tests[a][5]; });
    else shown.sort(function (a, b) { return (RANK[D.tests[a][4]] - RANK[D.tests[b][4]]) || a - b; });
    countLabel.textContent = shown.length + " of " + D.tests.length + " tests" +
      (D.unlisted ? " (" + D.unlisted + " more passed or skipped tests are not listed: summary.json has them)" : "");
    spacer.style.height = ((shown.length + 1) * ROW_H) + "px";
    list.scrollTop = 0;
    drawRows();
  }
  function drawRows() {
    var top = list.scrollTop, height = list.clientHeight || 520;
    var first = Math.max(0, Math.floor(top / ROW_H) - 10);
    var last = Math.min(shown.length, Math.ceil((top + height) / ROW_H) + 10);
    var frag = document.createDocumentFragment();
    frag.appendChild(headRow());
    for (var k = first; k < last; k++) {
      var i = shown[k], t = D.tests[i];
      var row = h("div", { cls: "row test o-row-" + OUT[t[4]] + (t[9] >= 0 ? " link" : ""), "data-test": String(i) },
        h("span", null, badge(OUT[t[4]])), h("span", { text: D.suites[t[1]] }), h("span", { cls: "tname", text: nameOf(t), title: nameOf(t) }),
        h("span", { cls: "mono", text: D.files[t[2]], title: D.files[t[2]] }), h("span", { text: (multi() ? (t[0] + 1) + "/" : "") + t[6] }),
        h("span", { cls: "num", text: secs(t[5] / 1000) }), h("span", { cls: "num", text: String(t[8]) }));
      row.style.top = ((k + 1) * ROW_H) + "px";
      if (t[9] >= 0) row.addEventListener("click", jumpTo(i));
      frag.appendChild(row);
    }
    spacer.textContent = "";
    spacer.appendChild(frag);
  }
  function jumpTo(i) {
    return function () { var el = document.getElementById("d-" + i); if (el) el.scrollIntoView(); };
  }
  function headRow() {
    var dur = h("span", { cls: "num sort", text: filters.sort === "duration" ? "time ▼" : "time", title: "sort by duration" });
    dur.addEventListener("click", function () { filters.sort = filters.sort === "duration" ? "" : "duration"; writeHash(); applyFilters(); });
    var row = h("div", { cls: "row head" }, h("span", { text: "status" }), h("span", { text: "suite" }), h("span", { text: "test" }),
      h("span", { text: "file" }), h("span", { text: multi() ? "node/w" : "worker" }), dur, h("span", { cls: "num", text: "tries" }));
    row.style.top = list.scrollTop + "px";
    row.style.position = "absolute";
    return row;
  }
  function select(name, options) {
    var el = h("select", { "aria-label": name, name: name });
    options.forEach(function (o) { el.appendChild(h("option", { value: o[0], text: o[1] })); });
    el.addEventListener("change", function () { filters[name] = el.value; writeHash(); applyFilters(); });
    controls[name] = el;
    return el;
  }
  function input(name, placeholder) {
    var el = h("input", { type: "search", placeholder: placeholder, "aria-label": placeholder, name: name });
    var timer = null;
    el.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { filters[name] = el.value; writeHash(); applyFilters(); }, 120);
    });
    controls[name] = el;
    return el;
  }
  function testsSection() {
    var s = section("tests", "All tests");
    var statuses = [["", "any status"], ["failing", "failing (failed, error, timed out)"]];
    OUT.forEach(function (o) { statuses.push([o, o.replace("_", " ")]); });
    var suites = [["", "any suite"]].concat(D.suites.map(function (n) { return [n, n]; }));
    var maxWorker = 0;
    D.runs.forEach(function (r) { maxWorker = Math.max(maxWorker, r.workers); });
    var workers = [["", "any worker"]];
    for (var w = 1; w <= maxWorker; w++) workers.push([String(w), "worker " + w]);
    var bar = h("div", { cls: "filters" }, select("status", statuses), select("suite", suites), select("worker", workers));
    if (multi()) {
      var nodes = [["", "any node"]];
      D.runs.forEach(function (r, i) { nodes.push([String(i + 1), runLabel(i)]); });
      bar.appendChild(select("node", nodes));
    }
    bar.appendChild(input("file", "file contains…"));
    bar.appendChild(input("q", "search names…"));
    countLabel = h("span", { cls: "note", id: "shown-count" });
    bar.appendChild(countLabel);
    s.appendChild(bar);
    list = h("div", { cls: "vlist", id: "test-list" });
    spacer = h("div", { cls: "spacer" });
    list.appendChild(spacer);
    var pending = false;
    list.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; drawRows(); });
    });
    s.appendChild(list);
  }
  function syncControls() {
    Object.keys(controls).forEach(function (k) { controls[k].value = filters[k]; });
  }

  // ---- slowest, stats, trends ------------------------------------------------------------
  function slowest() {
    var s = section("slowest", "Slowest tests and files");
    var cols = h("div", { cls: "cols" });
    var tests = h("table", null, h("tr", null, h("th", { text: "test" }), h("th", { text: "suite" }), h("th", { cls: "num", text: "time" })));
    D.slowest_tests.forEach(function (i) {
      var t = D.tests[i];
      tests.appendChild(h("tr", null, h("td", { cls: "name", text: nameOf(t) }), h("td", { text: suiteOf(t) }), h("td", { cls: "num", text: secs(t[5] / 1000) })));
    });
    var files = h("table", null, h("tr", null, h("th", { text: "file" }), h("th", { text: "suite" }), h("th", { cls: "num", text: "tests" }), h("th", { cls: "num", text: "time" })));
    D.slowest_files.forEach(function (f) {
      files.appendChild(h("tr", null, h("td", { cls: "name mono", text: D.files[f[0]] }), h("td", { text: D.suites[f[1]] }), h("td", { cls: "num", text: String(f[3]) }), h("td", { cls: "num", text: secs(f[2]) })));
    });
    cols.appendChild(h("div", null, h("h3", { text: "Tests" }), tests));
    cols.appendChild(h("div", null, h("h3", { text: "Files (sum of their tests)" }), files));
    s.appendChild(cols);
    var stats = h("table", { id: "stats" }, h("tr", null, h("th", { text: multi() ? "node" : "run" }), h("th", { cls: "num", text: "took" }), h("th", { cls: "num", text: "predicted" }),
      h("th", { cls: "num", text: "timing match" }), h("th", { cls: "num", text: "start-up per job" }), h("th", { cls: "num", text: "test time" }), h("th", { cls: "num", text: "jobs" })));
    var loads = [];
    D.runs.forEach(function (run, r) {
      var load = 0, jobs = 0;
      D.jobs.forEach(function (j) { if (j[0] === r) { load += j[5]; jobs++; } });
      loads.push(run.duration);
      stats.appendChild(h("tr", null, h("td", { text: runLabel(r) }), h("td", { cls: "num", text: secs(run.duration) }), h("td", { cls: "num", text: secs(run.predicted) }),
        h("td", { cls: "num", text: pct(run.timing_match) }), h("td", { cls: "num", text: run.startup == null ? "–" : secs(run.startup) }),
        h("td", { cls: "num", text: secs(load) }), h("td", { cls: "num", text: String(jobs) })));
    });
    s.appendChild(h("h3", { text: "Prediction and start-up cost" }));
    s.appendChild(stats);
    s.appendChild(h("p", { cls: "note", text: "timing match: the share of tests whose estimate came from their own history. Start-up per job: the median of a job's wall time minus the test time it reported (what the planner learns)." }));
    if (multi()) {
      var spread = Math.max.apply(null, loads) - Math.min.apply(null, loads);
      s.appendChild(h("p", { text: "Spread between nodes: " + secs(spread) + " (slowest node minus fastest)." }));
    }
  }
  function trends() {
    var s = section("trends", "Trends");
    var any = false;
    D.runs.forEach(function (run, r) {
      if (run.trends.length < 2) return;
      any = true;
      var maxDur = Math.max.apply(null, run.trends.map(function (p) { return p.duration; })) || 1;
      var chart = h("div", { cls: "trend", title: "duration of the last runs, oldest first; red: failed" });
      run.trends.forEach(function (p, i) {
        var bar = h("i", { cls: (p.passed ? "" : "bad") + (i === run.trends.length - 1 ? " now" : ""),
          title: p.run_id + ": " + secs(p.duration) + ", " + p.failed + " failed of " + p.total });
        bar.style.height = Math.max(3, p.duration / maxDur * 100) + "%";
        chart.appendChild(bar);
      });
      s.appendChild(h("div", null, multi() ? runLabel(r) : "", chart,
        h("div", { cls: "note", text: "failures per run: " + run.trends.map(function (p) { return p.failed; }).join(" · ") })));
    });
    if (!any) s.appendChild(h("p", { cls: "note", text: "No earlier runs in this output folder (keep-runs keeps the last ones)." }));
  }

  // ---- go --------------------------------------------------------------------------------
  header();
  detailLists();
  problems();
  timeline();
  testsSection();
  slowest();
  trends();
  function onHash() {
    var go = readHash();
    syncControls();
    applyFilters();
    if (go) { var el = document.getElementById(go); if (el) el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", onHash);
  window.addEventListener("resize", placeMarkers);
  onHash();
  placeMarkers();
  document.documentElement.dataset.rendered = "1";
})();

/// The dashboard's one script (no build step, no framework): confirmation of destructive
/// forms, and the live run view, which follows `/runs/{id}/events` (Server-Sent Events; the
/// browser resumes a dropped stream with `Last-Event-ID`), colours the plan's nodes, marks the
/// critical path, fills the per-agent table, streams the clicked agent's output and moves the
/// budget gauge. Text from the run is only ever set with `textContent`.
enum DashboardScript {
    static let javaScript = #"""
    (function () {
      'use strict';

      document.addEventListener('submit', function (event) {
        var form = event.target.closest ? event.target.closest('form[data-confirm]') : null;
        if (form && !window.confirm(form.getAttribute('data-confirm'))) { event.preventDefault(); }
      });

      document.addEventListener('change', function (event) {
        var select = event.target;
        if (select.matches && select.matches('select[data-autosubmit]') && select.form) { select.form.requestSubmit(); }
      });

      // The new-run form: the cost estimate follows the form as it is filled in.
      var newRun = document.getElementById('new-run');
      if (newRun) {
        var estimateTimer = null;
        var estimate = function () {
          estimateTimer = null;
          if (!newRun.elements.task || !newRun.elements.task.value.trim()) { return; }
          fetch('/runs/estimate', { method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(newRun)) })
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
              if (!html) { return; }
              var holder = document.createElement('div');
              holder.innerHTML = html; // rendered and escaped by the server
              var fresh = holder.querySelector('#estimate');
              var current = document.getElementById('estimate');
              if (fresh && current) { current.replaceWith(fresh); }
            })
            .catch(function () { /* the Estimate button still works */ });
        };
        var later = function () { if (estimateTimer) { window.clearTimeout(estimateTimer); } estimateTimer = window.setTimeout(estimate, 600); };
        newRun.addEventListener('input', later);
        newRun.addEventListener('change', later);
      }

      var run = document.getElementById('run');
      if (!run) { return; }
      var runID = run.getAttribute('data-run-id');
      var FINAL = ['succeeded', 'partial', 'failed', 'cancelled'];
      var agents = new Map();
      var selected = null;
      var planned = !!document.querySelector('#graph-box[data-planned]');
      var awaitingFinal = false;
      var source = null;
      var paintTimer = null;
      // Events are numbered per run; one seen before (a replay) is skipped.
      var lastSeq = 0;
      var seen = 0;

      function agent(id) {
        if (!agents.has(id)) {
          agents.set(id, { id: id, template: '', state: 'pending', tokens: 0, cost: 0, seconds: null, tools: 0, output: '', startedAt: null });
        }
        return agents.get(id);
      }
      function money(value) {
        var number = Number(value) || 0;
        return (number >= 1 || number === 0) ? '$' + number.toFixed(2) : '$' + number.toFixed(4);
      }
      function count(value) { return (Number(value) || 0).toLocaleString('en-US'); }
      function setText(id, text) { var element = document.getElementById(id); if (element) { element.textContent = text; } }
      function schedule() { if (paintTimer === null) { paintTimer = window.setTimeout(paint, 120); } }

      function graph() {
        var svg = document.getElementById('run-graph');
        if (!svg) { return null; }
        var dependencies = new Map();
        (svg.getAttribute('data-dependencies') || '').split(';').forEach(function (part) {
          if (!part) { return; }
          var pieces = part.split(':');
          dependencies.set(pieces[0], pieces[1] ? pieces[1].split(',').filter(Boolean) : []);
        });
        return { svg: svg, dependencies: dependencies };
      }

      // The longest chain by time spent (finished agents: their latency; running ones: so far).
      function criticalPath(info) {
        var weight = function (id) {
          var a = agents.get(id);
          if (!a) { return 0; }
          if (a.seconds !== null) { return a.seconds; }
          if (a.startedAt !== null) { return (Date.now() - a.startedAt) / 1000; }
          return 0;
        };
        var best = new Map();
        var previous = new Map();
        var visit = function (id, depth) {
          if (best.has(id)) { return best.get(id); }
          if (depth > 1000) { return 0; }
          var top = 0;
          var from = null;
          (info.dependencies.get(id) || []).forEach(function (dependency) {
            var value = visit(dependency, depth + 1);
            if (value > top) { top = value; from = dependency; }
          });
          best.set(id, top + weight(id));
          previous.set(id, from);
          return best.get(id);
        };
        var end = null;
        var longest = 0;
        info.dependencies.forEach(function (_, id) {
          var value = visit(id, 0);
          if (value > longest) { longest = value; end = id; }
        });
        var path = [];
        while (end) { path.unshift(end); end = previous.get(end); }
        if (path.length) { path.push('synthesis'); }
        return longest > 0 ? path : [];
      }

      function paint() {
        paintTimer = null;
        var info = graph();
        if (info) {
          var path = criticalPath(info);
          var onPath = new Set(path);
          info.svg.querySelectorAll('g.node').forEach(function (node) {
            var id = node.getAttribute('data-agent');
            var a = agents.get(id);
            if (a && node.getAttribute('data-state') !== a.state) { node.setAttribute('data-state', a.state); }
            node.classList.toggle('critical', onPath.has(id));
            node.classList.toggle('selected', id === selected);
          });
          info.svg.querySelectorAll('path.edge').forEach(function (edge) {
            var from = path.indexOf(edge.getAttribute('data-from'));
            edge.classList.toggle('critical', from >= 0 && path[from + 1] === edge.getAttribute('data-to'));
          });
        }
        paintTable();
        paintOutput();
      }

      function paintTable() {
        var body = document.querySelector('#agents-table tbody');
        if (!body || agents.size === 0) { return; }
        var rows = document.createDocumentFragment();
        agents.forEach(function (a) {
          var row = document.createElement('tr');
          row.setAttribute('data-agent', a.id);
          if (a.id === selected) { row.className = 'selected'; }
          [a.id, a.template, a.state, count(a.tokens), money(a.cost), a.seconds === null ? '' : a.seconds.toFixed(1) + ' s', count(a.tools)]
            .forEach(function (text, index) {
              var cell = document.createElement('td');
              cell.textContent = text;
              if (index >= 3) { cell.className = 'num'; }
              row.appendChild(cell);
            });
          rows.appendChild(row);
        });
        body.replaceChildren(rows);
      }

      function paintOutput() {
        if (!selected) { return; }
        var a = agents.get(selected);
        setText('agent-output-title', 'Agent output: ' + selected);
        setText('agent-output', a ? a.output : '');
        var hint = document.getElementById('agent-output-hint');
        if (hint) { hint.hidden = !!(a && a.output); }
      }

      function select(id) {
        selected = id;
        agent(id);
        paint();
        var output = document.getElementById('agent-output');
        if (output) { output.scrollTop = output.scrollHeight; }
      }

      document.addEventListener('click', function (event) {
        var target = event.target.closest ? event.target.closest('g.node, #agents-table tbody tr') : null;
        if (target) { select(target.getAttribute('data-agent')); }
      });
      document.addEventListener('keydown', function (event) {
        var node = event.target.closest ? event.target.closest('g.node') : null;
        if (node && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); select(node.getAttribute('data-agent')); }
      });

      function setStatus(status) {
        run.setAttribute('data-run-status', status);
        var badge = document.createElement('span');
        badge.className = 'badge status-' + status;
        badge.textContent = status;
        var holder = document.getElementById('run-status-badge');
        if (holder) { holder.replaceChildren(badge); }
      }

      function gauge(cost) {
        var box = document.getElementById('budget-gauge');
        if (!box) { return; }
        var limit = Number(box.getAttribute('data-limit')) || 0;
        var fraction = limit > 0 ? Math.min(1, cost / limit) : 0;
        var fill = box.querySelector('rect.fill');
        if (fill) {
          fill.setAttribute('width', String(fraction * 100));
          fill.setAttribute('class', 'fill ' + (fraction >= 1 ? 'over' : fraction >= 0.8 ? 'warn' : 'ok'));
        }
        var figures = box.querySelector('.gauge-figures');
        if (figures) { figures.textContent = limit > 0 ? money(cost) + ' of ' + money(limit) : money(cost) + ', no limit set'; }
      }

      function loadFragment(path, replaceID, done) {
        fetch(path, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } }).then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.text();
        }).then(function (html) {
          var holder = document.createElement('div');
          holder.innerHTML = html; // rendered and escaped by the server
          var fresh = holder.querySelector('#' + replaceID);
          var current = document.getElementById(replaceID);
          if (fresh && current) { current.replaceWith(fresh); }
          if (done) { done(fresh); }
        }).catch(function () { /* the next event or reconnect tries again */ });
      }

      function checkFinished() {
        loadFragment('/runs/' + runID + '/report', 'report', function (report) {
          var status = report ? report.getAttribute('data-run-status') : null;
          if (status && FINAL.indexOf(status) >= 0) {
            awaitingFinal = false;
            setStatus(status);
            if (source) { source.close(); }
            setText('live', '');
            var live = document.getElementById('live');
            if (live) { live.hidden = true; }
            var cancel = document.getElementById('cancel-form');
            if (cancel) { cancel.remove(); }
            paint();
          }
        });
      }

      var handlers = {
        started: function () { if (FINAL.indexOf(run.getAttribute('data-run-status')) < 0) { setStatus('running'); } },
        planned: function () {
          if (!planned) {
            planned = true;
            loadFragment('/runs/' + runID + '/graph', 'graph-box', function () { paint(); });
          }
        },
        agent_started: function (d) {
          var a = agent(d.agent);
          a.template = d.template || a.template;
          a.state = 'running';
          a.startedAt = Date.now();
          if (!selected) { selected = d.agent; }
        },
        token_delta: function (d) { var a = agent(d.agent); if (a.output.length < 200000) { a.output += d.text || ''; } },
        tool_call: function (d) { var a = agent(d.agent); a.tools += 1; a.output += '\n[tool ' + d.tool + '] ' + (d.arguments || '') + '\n'; },
        tool_result: function (d) { var a = agent(d.agent); a.output += '[' + (d.is_error ? 'tool error' : 'result') + '] ' + (d.preview || '') + '\n'; },
        agent_finished: function (d) {
          var a = agent(d.agent);
          a.state = 'done';
          a.seconds = Number(d.seconds) || 0;
          a.cost = Number(d.cost_usd) || 0;
          a.tokens = d.usage ? d.usage.total_tokens : 0;
          if (!a.output && d.answer) { a.output = d.answer; }
        },
        agent_failed: function (d) {
          var a = agent(d.agent);
          if (!d.will_retry) { a.state = 'failed'; }
          a.output += '\n[error] ' + (d.error || '') + '\n';
        },
        cost_update: function (d) {
          setText('run-cost', money(d.cost_usd));
          setText('run-tokens', count(d.usage ? d.usage.total_tokens : 0));
          setText('run-calls', count(d.llm_calls));
          setText('run-tools', count(d.tool_calls));
          gauge(Number(d.cost_usd) || 0);
        },
        budget_warning: function (d) {
          var warning = document.getElementById('budget-warning');
          if (warning) { warning.hidden = false; warning.textContent = 'Close to the ' + d.limit + ' limit: ' + d.used + ' of ' + d.maximum + '.'; }
        },
        synthesis_started: function () { agent('synthesis').state = 'running'; agent('synthesis').startedAt = Date.now(); },
        finished: function (d) {
          var s = agent('synthesis');
          s.state = d.status === 'cancelled' ? 'skipped' : d.status === 'failed' ? 'failed' : 'done';
          if (s.startedAt !== null && s.seconds === null) { s.seconds = (Date.now() - s.startedAt) / 1000; }
          setText('run-cost', money(d.cost_usd));
          gauge(Number(d.cost_usd) || 0);
          awaitingFinal = true;
          checkFinished();
        }
      };

      function connect() {
        // A finished run replays its events once (for the per-agent figures), then closes.
        source = new EventSource('/runs/' + runID + '/events');
        Object.keys(handlers).forEach(function (type) {
          source.addEventListener(type, function (event) {
            var seq = Number(event.lastEventId) || 0;
            if (seq && seq <= lastSeq) { return; }
            var data = {};
            try { data = JSON.parse(event.data); } catch (error) { return; }
            if (seq) { lastSeq = seq; }
            seen += 1;
            run.setAttribute('data-events', seen + '/' + lastSeq);
            handlers[type](data);
            schedule();
          });
        });
        source.addEventListener('open', function () {
          var live = document.getElementById('live');
          if (live && FINAL.indexOf(run.getAttribute('data-run-status')) < 0) { live.hidden = false; live.textContent = 'live'; live.classList.remove('reconnecting'); }
        });
        source.addEventListener('error', function () {
          // The server ends the stream when the run is over; otherwise the browser reconnects
          // by itself and resumes after the last event it saw.
          if (source.readyState === EventSource.CLOSED) { return; }
          var live = document.getElementById('live');
          if (live && !live.hidden) { live.textContent = 'reconnecting…'; live.classList.add('reconnecting'); }
          if (awaitingFinal || FINAL.indexOf(run.getAttribute('data-run-status')) >= 0) { checkFinished(); }
        });
      }

      connect();
      window.setInterval(function () {
        if (awaitingFinal) { checkFinished(); }
        if (FINAL.indexOf(run.getAttribute('data-run-status')) < 0) { schedule(); }
      }, 3000);
    })();
    """#
}

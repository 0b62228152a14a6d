/* Scarcity's charts, shared by the dashboard (live) and a run's static report.html. uPlot (MIT) draws them. */
(function (global) {
  'use strict';
  var COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];

  function color(i, alpha) {
    var c = COLORS[i % COLORS.length];
    if (alpha === undefined) return c;
    var n = parseInt(c.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return '-';
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v) && digits === undefined) return v.toLocaleString('en-US');
    if (Math.abs(v) >= 1000) return v.toLocaleString('en-US', {maximumFractionDigits: 0});
    return v.toFixed(digits === undefined ? 4 : digits);
  }

  /* vertical lines at rounds: [{round, color, label}] */
  function marksPlugin(getMarks) {
    return {
      hooks: {
        draw: [function (u) {
          var marks = getMarks() || [];
          var ctx = u.ctx;
          ctx.save();
          marks.forEach(function (m) {
            var x = u.valToPos(m.round, 'x', true);
            if (!isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            ctx.strokeStyle = m.color;
            ctx.lineWidth = m.width || 1.5;
            ctx.setLineDash(m.dash || [5, 4]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          });
          ctx.restore();
        }]
      }
    };
  }

  /*
   * A panel with one uPlot chart. spec: {title, yLabel, lines: [{label, values, color, dash, band: {lo, hi}}], marks}
   * Returns {panel, update(spec)}; the panel's data-points attribute is the number of rounds drawn.
   */
  function chartPanel(title, note) {
    var panel = el('div', {cls: 'panel chart'}, [el('h3', {text: title})]);
    if (note) panel.appendChild(el('div', {cls: 'muted', text: note}));
    var holder = el('div');
    panel.appendChild(holder);
    var plot = null;
    var shape = null;
    var marks = [];
    function update(rounds, lines, newMarks, yLabel) {
      marks = newMarks || [];
      var series = [{label: 'round'}];
      var data = [rounds];
      var bands = [];
      lines.forEach(function (l, i) {
        var c = l.color || color(i);
        series.push({label: l.label, stroke: c, width: l.width || 2, dash: l.dash, spanGaps: true, points: {show: rounds.length < 60}});
        data.push(l.values);
        if (l.band) {
          var hiIdx = series.length;
          series.push({label: l.label + ' highest client', stroke: l.bandColor || color(i, 0.35), width: 1, spanGaps: true, points: {show: false}});
          data.push(l.band.hi);
          series.push({label: l.label + ' lowest client', stroke: l.bandColor || color(i, 0.35), width: 1, spanGaps: true, points: {show: false}});
          data.push(l.band.lo);
          bands.push({series: [hiIdx, hiIdx + 1], fill: color(i, 0.12)});
        }
      });
      var newShape = series.map(function (s) { return s.label; }).join('|');
      panel.setAttribute('data-points', String(rounds.length));
      panel.setAttribute('data-lines', String(series.length - 1));
      if (plot && newShape === shape) {
        plot.setData(data);
        return;
      }
      if (plot) plot.destroy();
      shape = newShape;
      var width = Math.max(420, (holder.clientWidth || panel.clientWidth || 560) - 4);
      plot = new uPlot({
        width: width, height: 260,
        scales: {x: {time: false}},
        axes: [{label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]}, {label: yLabel || ''}],
        series: series, bands: bands,
        plugins: [marksPlugin(function () { return marks; })],
        legend: {live: true}
      }, data, holder);
    }
    return {panel: panel, update: update};
  }

  function injectedRounds(summary) {
    var out = [];
    var inj = summary && summary.injectedDrifts;
    if (!inj) return out;
    Object.keys(inj).forEach(function (d) {
      Object.keys(inj[d]).forEach(function (row) { out.push({round: inj[d][row], domain: d}); });
    });
    return out;
  }

  function driftMarks(series, summary) {
    var marks = injectedRounds(summary).map(function (m) { return {round: m.round, color: '#dc2626', dash: [6, 3], width: 2}; });
    var det = (series && series.detectionsByClient) || {};
    Object.keys(det).forEach(function (c) {
      det[c].forEach(function (r) { marks.push({round: r, color: '#d97706', dash: [2, 3], width: 1}); });
    });
    return marks;
  }

  function nonEmpty(a) { return a && a.some(function (v) { return v !== null && v !== undefined; }); }

  /*
   * Every chart of one run, in a grid appended to container. Returns {update(series, summary)} to redraw them with
   * new rounds (the dashboard calls it on each server-sent event).
   */
  function runCharts(container, series, summary) {
    var grid = el('div', {cls: 'grid', id: 'charts'});
    container.appendChild(grid);
    var panels = {};
    function panel(key, title, note) {
      if (!panels[key]) {
        panels[key] = chartPanel(title, note);
        panels[key].panel.id = 'chart-' + key;
        grid.appendChild(panels[key].panel);
      }
      return panels[key];
    }
    var lastSummary = summary;
    var lastSeries = series;
    function update(s, sum) {
      if (sum) lastSummary = sum;
      if (!s) return;
      lastSeries = s;
      var rounds = s.rounds || [];
      var domains = Object.keys(s.domains || {});
      var metric = s.metric === 'rmse' ? 'RMSE' : s.metric === 'mixed' ? 'accuracy or RMSE' : 'accuracy';
      var lines = domains.map(function (d, i) {
        var label = s.metric === 'mixed' ? d + ' (' + (s.domains[d].metric === 'rmse' ? 'RMSE' : 'accuracy') + ')' : d;
        return {label: label, values: s.domains[d].mean, band: {lo: s.domains[d].lo, hi: s.domains[d].hi}, color: color(i)};
      });
      if (domains.length > 1 && s.metric !== 'mixed') lines.push({label: 'all clients', values: s.overall, color: '#111827', dash: [6, 4], width: 1.5});
      var acc = panel('accuracy', metric + ' per round by domain', 'line: mean over the domain\'s clients (weighted by rows); band: ' +
        'the lowest and highest client; red dashes: injected drifts; orange dots: drift detections');
      var clients = Object.keys(s.byClient || {});
      if (clients.length && !acc.toggle) {
        // each client's own line, on demand (up to 50 clients are sent)
        var box = el('input', {type: 'checkbox', id: 'each-client'});
        acc.toggle = box;
        acc.panel.insertBefore(el('label', {cls: 'muted'}, [box, ' each client']), acc.panel.children[2] || null);
        box.onchange = function () { update(lastSeries); };
      }
      if (acc.toggle && acc.toggle.checked) {
        clients.forEach(function (c) {
          var i = domains.indexOf(s.byClient[c].domain);
          lines.push({label: c, values: s.byClient[c].values, color: color(Math.max(0, i), 0.55), width: 1});
        });
      }
      acc.update(rounds, lines, driftMarks(s, lastSummary), metric);
      if (nonEmpty(s.computeSaved)) {
        panel('compute', 'compute saved by the router', 'share of expert-batches skipped').update(rounds,
          [{label: 'compute saved', values: s.computeSaved, color: color(2)}], [], 'share');
      }
      var experts = Object.keys(s.activations || {});
      if (experts.length) {
        panel('activations', 'router activations per expert', 'batches each expert was routed to, summed over the clients').update(rounds,
          experts.map(function (x, i) { return {label: x, values: s.activations[x], color: color(i)}; }), [], 'batches');
      }
      var byteLines = [{label: 'all (insights, gossip, weight sharing)', values: s.bytesSent, color: color(4)}];
      if (nonEmpty(s.gossipBytes)) byteLines.push({label: 'gossip', values: s.gossipBytes, color: color(5), dash: [4, 3]});
      panel('bytes', 'bytes sent per round (all clients)', 'what left the clients: insights to the coordinator, expert states to peers').update(rounds,
        byteLines, [], 'bytes');
      var tiers = Object.keys(s.memory || {});
      if (tiers.length) {
        panel('memory', 'memory tiers (mean per client)', 'items held in each tier').update(rounds,
          tiers.map(function (t, i) { return {label: t, values: s.memory[t], color: color(i + 5)}; }), [], 'items');
      }
      if (s.epsilon) {
        panel('privacy', 'privacy: ε spent (highest client)', 'differential privacy budget spent so far (privacy.dp)').update(
          rounds, [{label: 'ε', values: s.epsilon, color: color(6)}], [], 'ε');
      }
      var c = s.coordinator || {};
      if ((c.rounds || []).length) {
        panel('health', 'coordinator: clients left out per round', c.convergedAtRound ? 'converged at round ' + c.convergedAtRound : 'offline: did not report; dropped: reported too late or refused').update(
          c.rounds, [{label: 'offline', values: c.offline, color: color(1)}, {label: 'dropped', values: c.dropped, color: color(3)}], [], 'clients');
        panel('consensus', 'coordinator: consensus weights and loss spread', 'range of the clients\' consensus weights; spread of their losses').update(
          c.rounds, [{label: 'lowest weight', values: c.weightLo, color: color(0)}, {label: 'highest weight', values: c.weightHi, color: color(5)},
            {label: 'loss spread', values: c.lossSpread, color: color(7), dash: [4, 3]}], [], '');
      }
    }
    update(series, summary);
    return {update: update};
  }

  function summaryTable(summary) {
    var rows = [];
    function add(k, v) { if (v !== undefined && v !== null) rows.push(el('tr', null, [el('th', {text: k}), el('td', {cls: 'num', text: typeof v === 'number' ? fmt(v) : String(v)})])); }
    add('status', summary.status);
    if (summary.error) add('error', summary.error);
    add('rounds', summary.roundsCompleted + ' of ' + summary.roundsPlanned);
    add('rows', summary.rows);
    add('accuracy', summary.accuracy);
    add('RMSE', summary.rmse);
    Object.keys(summary.domains || {}).forEach(function (d) {
      var x = summary.domains[d];
      add('domain ' + d, (x.accuracy !== undefined && x.accuracy !== null ? fmt(x.accuracy) : fmt(x.rmse)) + ' over ' + fmt(x.rows) + ' rows');
    });
    if (summary.routing) add('compute saved', fmt(summary.routing.computeSaved, 3));
    add('bytes sent', summary.bytesSent);
    add('insights rejected', summary.insightsRejected);
    if (summary.health) {
      add('offline client-rounds', summary.health.offlineClientRounds);
      add('clients ever dropped', (summary.health.clientsEverDropped || []).join(', ') || 'none');
      add('converged at round', summary.health.convergedAtRound === null ? 'not converged' : summary.health.convergedAtRound);
    }
    if (summary.privacy) add('highest ε spent', summary.privacy.maxEpsilonSpent);
    if (summary.continual) {
      add('final task accuracy', summary.continual.finalTaskAccuracy);
      add('forgetting', summary.continual.forgetting);
    }
    add('rows/s', summary.rowsPerSecond);
    add('wall seconds', summary.wallSeconds);
    return el('table', {cls: 'summary'}, [el('tbody', null, rows)]);
  }

  function mean(arrays) {
    var n = 0;
    arrays.forEach(function (a) { n = Math.max(n, a.length); });
    var out = [];
    for (var i = 0; i < n; i++) {
      var s = 0, k = 0;
      arrays.forEach(function (a) { if (a[i] !== null && a[i] !== undefined) { s += a[i]; k++; } });
      out.push(k ? s / k : null);
    }
    return out;
  }

  /* A bench result: its table, the accuracy by round of every method (mean over seeds), accuracy matrices. */
  function benchView(container, results) {
    var table = results.table || {};
    var methods = Object.keys(table);
    var metrics = [];
    methods.forEach(function (m) { Object.keys(table[m]).forEach(function (k) { if (metrics.indexOf(k) < 0) metrics.push(k); }); });
    var head = el('tr', null, [el('th', {text: 'method'})].concat(metrics.map(function (k) { return el('th', {text: k}); })));
    var body = methods.map(function (m) {
      return el('tr', null, [el('td', {text: m})].concat(metrics.map(function (k) {
        var c = table[m][k];
        return el('td', {cls: 'num', text: c ? fmt(c.mean) + ' ± ' + fmt(c.sd) : '-'});
      })));
    });
    container.appendChild(el('table', {cls: 'results', id: 'bench-table'}, [el('thead', null, [head]), el('tbody', null, body)]));
    var byMethod = {};
    (results.runs || []).forEach(function (r) { (byMethod[r.method] = byMethod[r.method] || []).push(r); });
    var names = Object.keys(byMethod);
    var n = 0;
    names.forEach(function (m) { byMethod[m].forEach(function (r) { n = Math.max(n, (r.accuracyByRound || []).length); }); });
    if (n) {
      var rounds = [];
      for (var i = 1; i <= n; i++) rounds.push(i);
      var grid = el('div', {cls: 'grid'});
      container.appendChild(grid);
      var p = chartPanel('accuracy per round, every method (mean over seeds)');
      p.panel.id = 'chart-bench';
      grid.appendChild(p.panel);
      p.update(rounds, names.map(function (m, i) {
        return {label: m, values: mean(byMethod[m].map(function (r) { return r.accuracyByRound || []; })), color: color(i)};
      }), [], 'accuracy');
    }
    names.forEach(function (m) {
      var runsWith = byMethod[m].filter(function (r) { return r.accuracyMatrix && r.accuracyMatrix.length; });
      if (!runsWith.length) return;
      var first = runsWith[0].accuracyMatrix;
      var mean = first.map(function (row, a) {
        return row.map(function (_, b) {
          var v = 0;
          runsWith.forEach(function (r) { v += (r.accuracyMatrix[a] && r.accuracyMatrix[a][b]) || 0; });
          return v / runsWith.length;
        });
      });
      container.appendChild(el('h2', {text: 'accuracy matrix: ' + m + ' (mean over ' + runsWith.length + ' seed(s))'}));
      container.appendChild(matrixTable(mean, runsWith[0].taskOfSegment));
    });
  }

  /*
   * An accuracy matrix: row i = accuracy on every task's held-out rows after segment i (of task taskOf[i]). Cells of
   * tasks not yet learned are greyed: their accuracy is what the model does on classes or permutations it never saw.
   */
  function matrixTable(matrix, taskOf, roundOf) {
    var k = matrix.length ? matrix[0].length : 0;
    var seen = {};
    var rowsEl = matrix.map(function (row, a) {
      var task = taskOf ? taskOf[a] : a;
      seen[task] = true;
      var label = 'after segment ' + (a + 1) + ' (task ' + (task + 1) + (roundOf ? ', round ' + roundOf[a] : '') + ')';
      return el('tr', null, [el('th', {text: label})].concat(row.map(function (v, b) {
        var td = el('td', {text: v === null || v === undefined ? '-' : v.toFixed(3)});
        if (seen[b]) td.style.background = 'rgba(37,99,235,' + (0.08 + 0.5 * (v || 0)).toFixed(2) + ')';
        else td.className = 'muted';
        return td;
      })));
    });
    var header = el('tr', null, [el('th', {text: ''})].concat(Array.apply(null, Array(k)).map(function (_, j) { return el('th', {text: 'task ' + (j + 1)}); })));
    return el('table', {cls: 'matrix'}, [el('thead', null, [header]), el('tbody', null, rowsEl)]);
  }

  /* A task stream's accuracy matrix and forgetting, from summary.json's continual part. */
  function continualView(container, c) {
    if (!c || !c.accuracyMatrix) return;
    var box = el('div', {id: 'continual'});
    box.appendChild(el('h2', {text: 'continual learning: accuracy matrix'}));
    box.appendChild(el('p', {cls: 'muted', text: 'final task accuracy ' + fmt(c.finalTaskAccuracy) + ', forgetting ' + fmt(c.forgetting) +
      ', backward transfer ' + fmt(c.backwardTransfer) + ' (Chaudhry et al.; Lopez-Paz and Ranzato); greyed: tasks not learned yet'}));
    box.appendChild(matrixTable(c.accuracyMatrix, c.taskOfSegment, c.roundOfSegment));
    container.appendChild(box);
  }

  /* Several runs overlaid: [{id, series}] on one accuracy chart. */
  function compareChart(container, runs) {
    var n = 0;
    runs.forEach(function (r) { (r.series.rounds || []).forEach(function (x) { n = Math.max(n, x); }); });
    var rounds = [];
    for (var i = 1; i <= n; i++) rounds.push(i);
    var p = chartPanel('accuracy per round (all clients), overlaid');
    p.panel.id = 'chart-compare';
    container.appendChild(p.panel);
    p.update(rounds, runs.map(function (r, i) {
      var byRound = {};
      (r.series.rounds || []).forEach(function (x, j) { byRound[x] = r.series.overall[j]; });
      return {label: r.id, values: rounds.map(function (x) { return byRound[x] === undefined ? null : byRound[x]; }), color: color(i)};
    }), [], 'accuracy');
    return p;
  }

  /* The static report.html of one run: everything embedded, no server. */
  function renderReport(container, data) {
    container.appendChild(el('h1', {text: data.name + ' (' + data.id + ')'}));
    container.appendChild(el('p', {cls: 'muted', text: 'Scarcity run report, written when the run ended. Live, and beside other runs: scarcity dashboard'}));
    if (data.summary) container.appendChild(summaryTable(data.summary));
    runCharts(container, data.series, data.summary);
    if (data.summary) continualView(container, data.summary.continual);
    if (data.series && data.series.problems && data.series.problems.length) {
      container.appendChild(el('div', {cls: 'problems', text: data.series.problems.join('\n')}));
    }
    if (data.config) {
      container.appendChild(el('h2', {text: 'config (resolved)'}));
      container.appendChild(el('pre', {cls: 'config', text: data.config}));
    }
  }

  global.ScarcityCharts = {el: el, fmt: fmt, color: color, runCharts: runCharts, summaryTable: summaryTable, benchView: benchView,
    compareChart: compareChart, renderReport: renderReport, chartPanel: chartPanel, continualView: continualView};
})(window);

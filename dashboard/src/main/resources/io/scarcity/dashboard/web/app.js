/* The dashboard's page: hash routes #/ (runs), #/run/ID, #/new, #/compare?ids=a,b. Data from the server's JSON API. */
(function () {
  'use strict';
  var C = window.ScarcityCharts;
  var el = C.el, fmt = C.fmt;
  var app = document.getElementById('app');
  var cleanup = [];

  // this start's token: from the address the command printed (then removed from it), kept in this origin's storage
  var TOKEN_KEY = 'scarcity-dashboard-token';
  (function takeToken() {
    var params = new URLSearchParams(location.search);
    var t = params.get('token');
    if (t) {
      try { localStorage.setItem(TOKEN_KEY, t); } catch (e) { window.__token = t; }
      history.replaceState(null, '', location.pathname + location.hash);
    }
  })();
  function token() {
    try { return localStorage.getItem(TOKEN_KEY) || window.__token || ''; } catch (e) { return window.__token || ''; }
  }

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({}, options.headers || {}, {'X-Scarcity-Token': token()});
    return fetch(path, options).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body && body.error ? body.error : ('HTTP ' + r.status));
        return body;
      }, function () { throw new Error('HTTP ' + r.status + ' (the server sent no JSON)'); });
    });
  }

  function post(path, body) {
    return api(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body || {})});
  }

  function clear() {
    cleanup.forEach(function (f) { try { f(); } catch (e) { /* gone already */ } });
    cleanup = [];
    app.innerHTML = '';
  }

  function showError(e) {
    app.appendChild(el('p', {cls: 'error', id: 'error', text: String(e.message || e)}));
  }

  function statusBadge(s) { return el('span', {cls: 'status status-' + s, text: s}); }

  function route() {
    clear();
    var h = location.hash || '#/';
    var q = {};
    var qi = h.indexOf('?');
    if (qi >= 0) {
      h.slice(qi + 1).split('&').forEach(function (p) { var kv = p.split('='); q[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || ''); });
      h = h.slice(0, qi);
    }
    if (h.indexOf('#/run/') === 0) return runView(decodeURIComponent(h.slice(6)));
    if (h === '#/new') return newView(q);
    if (h === '#/compare') return compareView(q.ids ? q.ids.split(',').filter(Boolean) : []);
    return runsView();
  }

  /* ---------------- runs ---------------- */
  function runsView() {
    app.appendChild(el('h1', {text: 'Runs'}));
    var msg = el('p', {cls: 'muted', id: 'runs-info'});
    app.appendChild(msg);
    var table = el('table', {id: 'runs'});
    app.appendChild(table);
    var compare = el('button', {id: 'compare-selected', cls: 'secondary', text: 'Compare selected'});
    compare.onclick = function () {
      var ids = Array.prototype.map.call(document.querySelectorAll('input.pick:checked'), function (c) { return c.value; });
      location.hash = '#/compare?ids=' + ids.map(encodeURIComponent).join(',');
    };
    app.appendChild(el('div', {cls: 'actions'}, [compare, el('a', {href: '#/new', text: 'Start a run'})]));
    var picked = {};
    function load() {
      api('/api/runs').then(function (runs) {
        Array.prototype.forEach.call(document.querySelectorAll('input.pick'), function (c) { picked[c.value] = c.checked; });
        table.innerHTML = '';
        table.appendChild(el('thead', null, [el('tr', null, ['', 'run', 'kind', 'status', 'rounds', 'accuracy / RMSE', 'ε', 'last change'].map(function (t) { return el('th', {text: t}); }))]));
        var body = el('tbody');
        runs.forEach(function (r) {
          var pick = el('input', {type: 'checkbox', cls: 'pick', value: r.id});
          pick.checked = !!picked[r.id];
          var score = r.accuracy !== undefined ? fmt(r.accuracy) : r.rmse !== undefined ? fmt(r.rmse) : r.methods ? r.methods + ' methods' : '-';
          body.appendChild(el('tr', {'data-run': r.id}, [
            el('td', null, [pick]),
            el('td', null, [el('a', {href: '#/run/' + encodeURIComponent(r.id), text: r.id})]),
            el('td', {text: r.kind}), el('td', null, [statusBadge(r.status)]),
            el('td', {cls: 'num', text: r.roundsCompleted !== undefined ? r.roundsCompleted + ' / ' + r.roundsPlanned : '-'}),
            el('td', {cls: 'num', text: score}),
            el('td', {cls: 'num', text: r.epsilon !== undefined ? fmt(r.epsilon, 3) : '-'}),
            el('td', {text: new Date(r.modified).toLocaleString()})]));
        });
        table.appendChild(body);
        msg.textContent = runs.length ? runs.length + ' runs and bench results' : 'No runs yet: start one from "New run", or run ./scarcity run configs/quickstart.yaml';
      }).catch(function (e) { msg.className = 'error'; msg.textContent = e.message; });
    }
    load();
    var timer = setInterval(load, 3000);
    cleanup.push(function () { clearInterval(timer); });
  }

  /* ---------------- one run ---------------- */
  function runView(id) {
    api('/api/runs/' + encodeURIComponent(id)).then(function (d) {
      var title = el('h1', null, [d.name + ' ', el('span', {cls: 'muted', text: d.id}), ' ', el('span', {id: 'run-status'}, [statusBadge(d.status)])]);
      app.appendChild(title);
      if (d.kind === 'bench') {
        if (d.results) C.benchView(app, d.results);
        else app.appendChild(el('p', {cls: 'muted', text: 'This bench has no results.json yet: it is running or was stopped.'}));
        return;
      }
      var stop = el('button', {id: 'stop', text: 'Stop'});
      var resume = el('button', {id: 'resume', cls: 'secondary', text: 'Resume'});
      var actionMsg = el('span', {id: 'action-message', cls: 'muted'});
      app.appendChild(el('div', {cls: 'actions'}, [stop, resume, actionMsg]));
      function buttons(s) {
        stop.disabled = s.status !== 'running';
        resume.disabled = !s.resumable;
      }
      buttons(d);
      stop.onclick = function () {
        stop.disabled = true;
        actionMsg.textContent = 'stopping...';
        post('/api/runs/' + encodeURIComponent(id) + '/stop').then(function (s) {
          actionMsg.textContent = 'stopped: ' + s.status + (s.resumable ? ' (it can be resumed from its last checkpoint)' : '');
          buttons(s);
        }).catch(function (e) { actionMsg.textContent = e.message; });
      };
      resume.onclick = function () {
        resume.disabled = true;
        actionMsg.textContent = 'resuming...';
        post('/api/runs/' + encodeURIComponent(id) + '/resume').then(function () {
          actionMsg.textContent = 'resumed';
        }).catch(function (e) { actionMsg.textContent = e.message; });
      };
      var summaryHolder = el('div', {id: 'summary'});
      app.appendChild(summaryHolder);
      function showSummary(full) {
        summaryHolder.innerHTML = '';
        if (full.status === 'running') {
          summaryHolder.appendChild(el('p', {cls: 'muted', text: 'Running: the charts and the log follow it live; its summary is written when it ends.'}));
        } else if (full.summary) {
          summaryHolder.appendChild(C.summaryTable(full.summary));
          C.continualView(summaryHolder, full.summary.continual);
        }
      }
      showSummary(d);
      var charts = C.runCharts(app, d.series, d.summary);
      var problems = el('div', {cls: 'problems', id: 'problems'});
      app.appendChild(problems);
      var left = el('div', {id: 'left-out'});
      app.appendChild(left);
      function showExtras(s) {
        problems.textContent = (s.problems || []).join('\n');
        left.innerHTML = '';
        var l = (s.coordinator || {}).leftOut || [];
        if (l.length) {
          left.appendChild(el('h2', {text: 'clients left out of rounds'}));
          left.appendChild(el('table', null, [el('tbody', null, l.slice(-30).map(function (x) {
            return el('tr', null, [el('td', {text: 'round ' + x.round}), el('td', {text: (x.offline.length ? 'offline: ' + x.offline.join(', ') : '') + (x.dropped.length ? ' dropped: ' + x.dropped.join(', ') : '')})]);
          }))]));
        }
      }
      showExtras(d.series || {});
      var federation = el('div', {id: 'federation'});
      app.appendChild(federation);
      function showFederation(f) {
        federation.innerHTML = '';
        if (!f) return;
        federation.appendChild(el('h2', {text: 'federation: client hosts'}));
        federation.appendChild(el('p', {cls: 'muted', text: f.roundDeadlineSeconds ? 'round deadline: ' + f.roundDeadlineSeconds + ' s (a host that has not played its round by then has its clients left out of it)' : 'no round deadline (coordinator.roundDeadline: 0): the coordinator waits for every connected host'}));
        federation.appendChild(el('table', {id: 'hosts'}, [el('thead', null, [el('tr', null, ['host', 'certificate', 'state', 'since', 'what happened'].map(function (t) { return el('th', {text: t}); }))]),
          el('tbody', null, f.hosts.map(function (h) {
            return el('tr', null, [el('td', {text: h.host}), el('td', {text: h.certificate || '-'}), el('td', null, [el('span', {cls: 'status status-' + (h.state === 'connected' ? 'running' : h.state === 'late' ? 'interrupted' : 'failed'), text: h.state})]),
              el('td', {text: h.since}), el('td', {text: h.decision})]);
          }))]));
        if (f.events.length) {
          federation.appendChild(el('pre', {cls: 'config', id: 'host-events', text: f.events.slice(-40).map(function (e) { return e.time + '  ' + e.text; }).join('\n')}));
        }
      }
      showFederation(d.federation);
      app.appendChild(el('h2', {text: 'log (run.log, live)'}));
      var log = el('pre', {id: 'log'});
      app.appendChild(log);
      if (d.config) {
        app.appendChild(el('h2', {text: 'config (resolved)'}));
        app.appendChild(el('pre', {cls: 'config', text: d.config}));
      }
      var source = new EventSource('/api/runs/' + encodeURIComponent(id) + '/events?token=' + encodeURIComponent(token()));
      cleanup.push(function () { source.close(); });
      source.addEventListener('series', function (ev) {
        var s = JSON.parse(ev.data);
        charts.update(s);
        showExtras(s);
      });
      source.addEventListener('federation', function (ev) { showFederation(JSON.parse(ev.data)); });
      source.addEventListener('log', function (ev) {
        var lines = JSON.parse(ev.data);
        if (!lines.length) return;
        log.textContent += lines.join('\n') + '\n';
        var all = log.textContent.split('\n');
        if (all.length > 400) log.textContent = all.slice(all.length - 400).join('\n');
        log.scrollTop = log.scrollHeight;
      });
      source.addEventListener('status', function (ev) {
        var s = JSON.parse(ev.data);
        var holder = document.getElementById('run-status');
        holder.innerHTML = '';
        holder.appendChild(statusBadge(s.status));
        buttons(s);
        if (s.status === 'running') showSummary(s);
        else {
          api('/api/runs/' + encodeURIComponent(id)).then(function (full) {
            showSummary(full);
            charts.update(full.series, full.summary);
          }).catch(function () { /* the next event retries */ });
        }
      });
    }).catch(showError);
  }

  /* ---------------- new run ---------------- */
  function newView(q) {
    app.appendChild(el('h1', {text: 'Start a run'}));
    var form = el('form', {cls: 'launch', id: 'launch-form'});
    app.appendChild(form);
    var message = el('div', {cls: 'message', id: 'validation'});
    message.style.display = 'none';
    var validate = el('button', {type: 'button', id: 'validate', cls: 'secondary', text: 'Validate'});
    var launch = el('button', {type: 'button', id: 'launch', text: 'Launch'});
    app.appendChild(el('div', {cls: 'actions'}, [validate, launch]));
    app.appendChild(message);
    var preview = el('pre', {cls: 'config', id: 'config-text'});
    var select = el('select', {id: 'config', name: 'config'});
    var fields = el('div');
    fields.style.display = 'contents';
    form.appendChild(el('label', {'for': 'config', text: 'config'}));
    form.appendChild(select);
    form.appendChild(fields);
    var plugins = {};
    var current = null;

    function row(label, input) {
      fields.appendChild(el('label', {'for': input.id, text: label}));
      fields.appendChild(input);
    }
    function number(id, key, value) {
      var i = el('input', {type: 'text', id: id, 'data-key': key, value: value === undefined ? '' : String(value)});
      i.setAttribute('data-initial', i.value);
      return i;
    }
    function choice(id, key, options, value) {
      var s = el('select', {id: id, 'data-key': key});
      var opts = options.slice();
      if (value && opts.indexOf(value) < 0) opts.unshift(value);
      s.appendChild(el('option', {value: '', text: value ? '' : '(default)'}));
      opts.forEach(function (o) { s.appendChild(el('option', {value: o, text: o})); });
      s.value = value || '';
      s.setAttribute('data-initial', s.value);
      return s;
    }
    function show(cfg) {
      current = cfg;
      fields.innerHTML = '';
      row('rounds', number('rounds', 'rounds', cfg.rounds));
      row('seed', number('seed', 'seed', cfg.seed));
      (cfg.domains || []).forEach(function (d, i) {
        row('clients in ' + d.name, number('clients-' + i, 'domains[' + i + '].clients', d.clients));
      });
      // experts: keep or drop each of the config's, change its plugin, add installed ones; sent as one
      // experts=[...] override (JSON is YAML) only when the list changed
      (cfg.experts || []).forEach(function (x, i) {
        var keep = el('input', {type: 'checkbox', id: 'keep-expert-' + i, cls: 'keep-expert', 'data-index': String(i)});
        keep.checked = true;
        var plugin = choice('expert-' + i, '', plugins.expert || [], x.plugin);
        plugin.removeAttribute('data-key');
        plugin.className = 'expert-plugin';
        plugin.setAttribute('data-index', String(i));
        var cell = el('span', {id: 'expert-cell-' + i}, [keep, ' keep ', plugin]);
        fields.appendChild(el('label', {'for': 'keep-expert-' + i, text: 'expert ' + x.name}));
        fields.appendChild(cell);
      });
      var add = el('select', {id: 'add-expert', multiple: 'multiple', size: '3'});
      (plugins.expert || []).forEach(function (p) { add.appendChild(el('option', {value: p, text: p})); });
      if ((plugins.expert || []).length) row('add experts', add);
      row('router', choice('router', 'router.plugin', plugins.router || [], cfg.router));
      row('memory', choice('memory', 'memory.plugin', plugins.memory || [], cfg.memory));
      row('gossip', choice('gossip', 'gossip.plugin', plugins.gossip || [], cfg.gossip));
      row('federation mode', choice('mode', 'federation.mode', ['federated', 'local', 'fedavg'], cfg.federationMode));
      var extra = el('textarea', {id: 'extra', placeholder: 'more overrides, one KEY=VALUE per line (as --set), e.g. batchSize=100'});
      row('more --set', extra);
      preview.textContent = cfg.text;
    }
    function overrides() {
      var sets = {};
      Array.prototype.forEach.call(fields.querySelectorAll('[data-key]'), function (i) {
        if (i.value !== i.getAttribute('data-initial') && i.value !== '') sets[i.getAttribute('data-key')] = i.value;
      });
      var experts = [];
      var changed = false;
      (current.experts || []).forEach(function (x, i) {
        var keep = document.getElementById('keep-expert-' + i);
        var plugin = document.getElementById('expert-' + i);
        if (!keep.checked) { changed = true; return; }
        if (plugin.value && plugin.value !== x.plugin) {
          changed = true;
          var e = {plugin: plugin.value};
          if (x.entry && x.entry.name) e.name = x.entry.name;
          experts.push(e);
        } else {
          experts.push(x.entry || {plugin: x.plugin});
        }
      });
      var add = document.getElementById('add-expert');
      if (add) Array.prototype.forEach.call(add.selectedOptions, function (o) { changed = true; experts.push({plugin: o.value}); });
      if (changed) {
        if (!experts.length) throw new Error('keep or add at least one expert');
        sets.experts = JSON.stringify(experts);
      }
      var extra = document.getElementById('extra');
      var bad = null;
      (extra ? extra.value.split('\n') : []).forEach(function (line) {
        line = line.trim();
        if (!line) return;
        var eq = line.indexOf('=');
        if (eq <= 0) { bad = 'expected KEY=VALUE, got "' + line + '"'; return; }
        sets[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      });
      if (bad) throw new Error(bad);
      return sets;
    }
    function say(text, ok) {
      message.style.display = '';
      message.className = 'message ' + (ok === true ? 'valid' : ok === false ? 'invalid' : '');
      message.textContent = text;
    }
    function request(path) {
      var sets;
      try { sets = overrides(); } catch (e) { say(e.message, false); return Promise.reject(e); }
      return post(path, {config: select.value, sets: sets});
    }
    validate.onclick = function () {
      say('validating...');
      request('/api/validate').then(function (r) { say(r.output, r.valid); }).catch(function (e) { say(e.message, false); });
    };
    launch.onclick = function () {
      launch.disabled = true;
      say('validating and starting...');
      request('/api/launch').then(function (r) {
        launch.disabled = false;
        if (!r.valid) { say(r.output, false); return; }
        if (r.runId) { location.hash = '#/run/' + encodeURIComponent(r.runId); return; }
        say('the run did not start' + (r.exitCode !== undefined ? ' (exit code ' + r.exitCode + ')' : ' yet (still preparing: see the runs table)') + ':\n' + (r.output || []).join('\n'), r.exitCode === undefined ? undefined : false);
      }).catch(function (e) { launch.disabled = false; say(e.message, false); });
    };
    select.onchange = function () {
      api('/api/config?path=' + encodeURIComponent(select.value)).then(show).catch(function (e) { say(e.message, false); });
    };
    Promise.all([api('/api/configs'), api('/api/plugins')]).then(function (r) {
      plugins = r[1];
      r[0].forEach(function (c) { select.appendChild(el('option', {value: c, text: c})); });
      if (!r[0].length) { say('no configs found in the configs folder', false); return; }
      select.value = q.config && r[0].indexOf(q.config) >= 0 ? q.config : (r[0].indexOf('quickstart.yaml') >= 0 ? 'quickstart.yaml' : r[0][0]);
      select.onchange();
    }).catch(showError);
    app.appendChild(el('h2', {text: 'the config file'}));
    app.appendChild(preview);
  }

  /* ---------------- compare ---------------- */
  function compareView(ids) {
    app.appendChild(el('h1', {text: 'Compare runs'}));
    if (ids.length < 2) {
      app.appendChild(el('p', {cls: 'muted', text: 'Pick two or more runs in the runs table and press "Compare selected". A bench result compares its methods on its own page.'}));
      return;
    }
    Promise.all(ids.map(function (id) { return api('/api/runs/' + encodeURIComponent(id)); })).then(function (runs) {
      var plain = runs.filter(function (r) { return r.kind === 'run'; });
      var cols = ['run', 'status', 'rounds', 'rows', 'accuracy', 'RMSE', 'compute saved', 'bytes sent', 'ε', 'rows/s'];
      var body = runs.map(function (r) {
        var s = r.summary || {};
        return el('tr', null, [el('td', null, [el('a', {href: '#/run/' + encodeURIComponent(r.id), text: r.id})]), el('td', null, [statusBadge(r.status)]),
          el('td', {cls: 'num', text: s.roundsCompleted !== undefined ? s.roundsCompleted + ' / ' + s.roundsPlanned : '-'}),
          el('td', {cls: 'num', text: fmt(s.rows)}), el('td', {cls: 'num', text: fmt(s.accuracy)}), el('td', {cls: 'num', text: fmt(s.rmse)}),
          el('td', {cls: 'num', text: s.routing ? fmt(s.routing.computeSaved, 3) : '-'}), el('td', {cls: 'num', text: fmt(s.bytesSent)}),
          el('td', {cls: 'num', text: s.privacy ? fmt(s.privacy.maxEpsilonSpent, 3) : '-'}), el('td', {cls: 'num', text: fmt(s.rowsPerSecond)})]);
      });
      app.appendChild(el('table', {id: 'compare-table'}, [el('thead', null, [el('tr', null, cols.map(function (c) { return el('th', {text: c}); }))]), el('tbody', null, body)]));
      var grid = el('div', {cls: 'grid'});
      app.appendChild(grid);
      if (plain.length) C.compareChart(grid, plain.map(function (r) { return {id: r.id, series: r.series}; }));
    }).catch(showError);
  }

  window.addEventListener('hashchange', route);
  api('/api/info').then(function (i) { document.getElementById('where').textContent = 'runs: ' + i.runs; }).catch(function () {});
  route();
})();

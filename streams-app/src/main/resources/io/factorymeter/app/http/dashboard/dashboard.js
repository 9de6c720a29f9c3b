// Factory Meter dashboard: reads the query API (/v1/...) every few seconds and shows it.
//
// Event time only: every range comes from the API's own windows (the newest 60 windows; the UTC day
// of the newest fleet window for billing), never from the browser's clock.
// Every figure shown is an element with data-figure="NAME", data-value="the API's number" (raw) and
// the text the page shows; data-scale, when present, is the factor from the value to the text's
// number (0.001 for W shown as kW, 100 for ratios shown as %).
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const WINDOWS = 60;
  const TOKEN_KEY = 'factoryMeterToken';
  const COLORS = ['#1f4e79', '#d9822b', '#2e8b57', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#b7950b'];

  // A bearer token comes in the URL fragment (#token=...), is kept in sessionStorage and taken out
  // of the address bar; it is only ever sent in the Authorization header.
  const fragment = location.hash.match(/(?:^#|&)token=([^&]*)/);
  if (fragment) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fragment[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const response = await fetch(path, { headers, cache: 'no-store' });
    if (response.status === 404) {
      return null; // nothing retained yet
    }
    if (response.status === 401) {
      throw new Error('the API needs a bearer token: open this page as /#token=YOUR_TOKEN');
    }
    if (!response.ok) {
      let message = response.statusText;
      try {
        message = (await response.json()).error || message;
      } catch (e) { /* not JSON */ }
      throw new Error(path.split('?')[0] + ': HTTP ' + response.status + ' ' + message);
    }
    return response.json();
  }

  // ---- formatting -------------------------------------------------------------------------

  function number(value, digits) {
    return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // An element showing one figure: its text is the number shown, data-value the API's raw number;
  // a unit, when given, follows in an element of its own.
  function figure(name, value, digits, options) {
    const o = options || {};
    const el = document.createElement('span');
    el.className = 'figure';
    el.dataset.figure = name;
    if (o.windowStart) {
      el.dataset.windowStart = o.windowStart;
    }
    if (value === null || value === undefined) {
      el.dataset.value = '';
      el.textContent = '–';
      return el;
    }
    el.dataset.value = String(value);
    const scale = o.scale || 1;
    if (scale !== 1) {
      el.dataset.scale = String(scale);
    }
    el.textContent = number(value * scale, digits);
    if (!o.unit) {
      return el;
    }
    const wrapper = document.createElement('span');
    const unit = document.createElement('span');
    unit.className = 'unit';
    unit.textContent = ' ' + o.unit;
    wrapper.append(el, unit);
    return wrapper;
  }

  function text(name, value) {
    const el = document.createElement('span');
    el.className = 'text';
    el.dataset.figure = name;
    el.dataset.value = value;
    el.textContent = value;
    return el;
  }

  // An axis label: 1.5M, 250k, 0.0425.
  function compact(v, digits) {
    const a = Math.abs(v);
    if (a >= 1e6) {
      return number(v / 1e6, a >= 1e7 ? 0 : 1) + 'M';
    }
    if (a >= 1e4) {
      return number(v / 1e3, 0) + 'k';
    }
    return number(v, a >= 100 ? 0 : a >= 10 ? Math.min(digits, 1) : digits);
  }

  function minute(iso) {
    return new Date(Date.parse(iso)).toISOString().slice(11, 16);
  }

  function dayAndMinute(iso) {
    const s = new Date(Date.parse(iso)).toISOString();
    return s.slice(0, 10) + ' ' + s.slice(11, 16);
  }

  function cell(content) {
    const td = document.createElement('td');
    if (content instanceof Node) {
      td.appendChild(content);
      const fig = content.classList.contains('figure') ? content : content.querySelector('.figure');
      if (fig) {
        td.className = 'num';
      }
    } else {
      td.textContent = content;
    }
    return td;
  }

  function row(tbody, cells) {
    const tr = document.createElement('tr');
    cells.forEach(c => tr.appendChild(cell(c)));
    tbody.appendChild(tr);
    return tr;
  }

  // The newest settled window (isFinal), else the newest one.
  function newestSettled(windows) {
    for (let i = windows.length - 1; i >= 0; i--) {
      if (windows[i].isFinal) {
        return windows[i];
      }
    }
    return windows.length ? windows[windows.length - 1] : null;
  }

  // ---- fleet tiles ------------------------------------------------------------------------

  function tile(label, figureEl, note) {
    const div = document.createElement('div');
    div.className = 'tile';
    const l = document.createElement('div');
    l.className = 'label';
    l.textContent = label;
    const v = document.createElement('div');
    v.className = 'value';
    v.appendChild(figureEl);
    div.append(l, v);
    if (note) {
      const n = document.createElement('div');
      n.className = 'note';
      n.append(...note);
      div.appendChild(n);
    }
    return div;
  }

  function showFleet(w) {
    const tiles = document.getElementById('tiles');
    tiles.replaceChildren();
    if (!w) {
      document.getElementById('fleet-window').textContent = 'no window yet';
      return;
    }
    const at = { windowStart: w.windowStart };
    const f = (name, digits, extra) => figure('fleet.' + name, w[name], digits, Object.assign({}, at, extra));
    document.getElementById('fleet-window').textContent =
        (w.isFinal ? 'settled minute ' : 'partial minute ') + dayAndMinute(w.windowStart) + ' UTC';
    tiles.append(
      tile('tokens/s', f('tokensPerSecond', 0), ['output ', f('outputTokensPerSecond', 0), ' tokens/s']),
      tile('tokens per joule', f('tokensPerJoule', 2, { unit: 'tokens/J' })),
      tile('output tokens per joule', f('outputTokensPerJoule', 2, { unit: 'tokens/J' })),
      tile('cost per million tokens', f('costPerMillionTokens', 4, { unit: w.currency })),
      tile('CO2e per million tokens', f('carbonPerMillionTokens', 1, { unit: 'g' }),
          [f('carbonG', 0, { scale: 0.001, unit: 'kg' }), ' CO2e in the minute']),
      tile('power', f('avgPowerW', 1, { scale: 0.001, unit: 'kW' })),
      tile('utilization', f('utilization', 1, { scale: 100, unit: '%' })),
      tile('uptime (known nodes)', f('uptimeKnown', 1, { scale: 100, unit: '%' }), [f('nodesKnown', 0), ' nodes known']),
      tile('coverage (reporting nodes)', f('coverage', 1, { scale: 100, unit: '%' }),
          [f('nodesReporting', 0), ' nodes reporting']),
      tile('hottest GPU', f('maxTemperatureC', 1, { unit: '°C' }))
    );
  }

  // ---- charts -----------------------------------------------------------------------------

  const charts = {};

  // uPlot's data: x = the union of the windows' starts (s), then one array per line, null where a
  // line has no window. lines: [[windows, pick], ...].
  function align(lines) {
    const xs = new Set();
    lines.forEach(([ws]) => ws.forEach(w => xs.add(Date.parse(w.windowStart) / 1000)));
    const x = Array.from(xs).sort((a, b) => a - b);
    const index = new Map(x.map((t, i) => [t, i]));
    return [x].concat(lines.map(([ws, pick]) => {
      const y = new Array(x.length).fill(null);
      ws.forEach(w => {
        const v = pick(w);
        y[index.get(Date.parse(w.windowStart) / 1000)] = v === undefined ? null : v;
      });
      return y;
    }));
  }

  function draw(name, labels, data, digits) {
    const figureEl = document.querySelector('[data-chart="' + name + '"]');
    const plot = figureEl.querySelector('.plot');
    figureEl.dataset.points = String(data[0].length);
    figureEl.dataset.series = labels.join(',');
    const key = labels.join('|');
    const existing = charts[name];
    if (existing && existing.key === key) {
      existing.chart.setData(data);
      return;
    }
    if (existing) {
      existing.chart.destroy();
    }
    const opts = {
      width: Math.max(plot.clientWidth, 300),
      height: 220,
      tzDate: ts => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true } },
      legend: { live: false },
      series: [{}].concat(labels.map((label, i) => ({
        label,
        stroke: COLORS[i % COLORS.length],
        width: i === 0 ? 2 : 1.25,
      }))),
      axes: [
        { values: (u, splits) => splits.map(t => new Date(t * 1000).toISOString().slice(11, 16)) },
        { size: 60, values: (u, splits) => splits.map(v => compact(v, digits)) },
      ],
    };
    charts[name] = { key, chart: new uPlot(opts, data, plot) };
  }

  function showCharts(fleetWindows, clusterWindows) {
    const settled = ws => ws.filter(w => w.isFinal);
    const fleet = settled(fleetWindows);
    const ids = Object.keys(clusterWindows).sort();
    const groups = [fleet].concat(ids.map(id => settled(clusterWindows[id])));
    const groupLabels = ['fleet'].concat(ids);
    const perGroup = pick => align(groups.map(ws => [ws, pick]));
    const pct = v => (v === null ? null : v * 100);
    draw('tokensPerSecond', groupLabels, perGroup(w => w.tokensPerSecond), 0);
    draw('tokensPerJoule', ['tokens/J', 'output tokens/J'],
        align([[fleet, w => w.tokensPerJoule], [fleet, w => w.outputTokensPerJoule]]), 2);
    draw('costPerMillionTokens', groupLabels, perGroup(w => w.costPerMillionTokens), 4);
    draw('carbonPerMillionTokens', groupLabels, perGroup(w => w.carbonPerMillionTokens), 1);
    draw('avgPowerW', groupLabels, perGroup(w => w.avgPowerW / 1000), 1);
    draw('uptime', ['utilization', 'uptime (known nodes)', 'coverage'], align([
      [fleet, w => pct(w.utilization)], [fleet, w => pct(w.uptimeKnown)], [fleet, w => pct(w.coverage)]]), 0);
    draw('clusterTokensPerJoule', groupLabels, perGroup(w => w.tokensPerJoule), 2);
    draw('clusterUtilization', groupLabels, perGroup(w => pct(w.utilization)), 0);
    draw('clusterUptime', groupLabels, perGroup(w => pct(w.uptimeKnown)), 0);
  }

  window.addEventListener('resize', () => {
    Object.values(charts).forEach(c => {
      const plot = c.chart.root.parentNode;
      c.chart.setSize({ width: Math.max(plot.clientWidth, 300), height: 220 });
    });
  });

  // ---- tables -----------------------------------------------------------------------------

  function showClusters(clusterWindows) {
    const tbody = document.getElementById('cluster-rows');
    tbody.replaceChildren();
    Object.keys(clusterWindows).sort().forEach(id => {
      const w = newestSettled(clusterWindows[id]);
      if (!w) {
        return;
      }
      const at = { windowStart: w.windowStart };
      const f = (name, digits, extra) => figure('cluster.' + id + '.' + name, w[name], digits, Object.assign({}, at, extra));
      row(tbody, [
        text('cluster.' + id + '.clusterId', id),
        minute(w.windowStart) + (w.isFinal ? '' : ' (partial)'),
        f('tokensPerSecond', 0),
        f('tokensPerJoule', 2),
        f('outputTokensPerJoule', 2),
        f('costPerMillionTokens', 4, { unit: w.currency }),
        f('carbonPerMillionTokens', 1, { unit: 'g' }),
        f('avgPowerW', 1, { scale: 0.001, unit: 'kW' }),
        f('utilization', 1, { scale: 100, unit: '%' }),
        f('uptimeKnown', 1, { scale: 100, unit: '%' }),
        f('coverage', 1, { scale: 100, unit: '%' }),
        f('nodesReporting', 0),
        f('nodesKnown', 0),
      ]);
    });
  }

  function showHottest(nodes, alerts) {
    const overTemperature = new Set(alerts.filter(a => a.alertType === 'OVER_TEMPERATURE').map(a => a.nodeId));
    const tbody = document.getElementById('hottest-rows');
    tbody.replaceChildren();
    const hottest = nodes.slice().sort((a, b) =>
        b.maxTemperatureC - a.maxTemperatureC || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)).slice(0, 8);
    hottest.forEach((n, i) => {
      const rank = i + 1;
      const tr = row(tbody, [
        figure('hottest.' + rank + '.rank', rank, 0),
        text('hottest.' + rank + '.nodeId', n.nodeId),
        n.clusterId,
        figure('hottest.' + rank + '.maxTemperatureC', n.maxTemperatureC, 1, { unit: '°C', windowStart: n.windowStart }),
        figure('hottest.' + rank + '.avgPowerW', n.avgPowerW, 1, { scale: 0.001, unit: 'kW' }),
        figure('hottest.' + rank + '.utilization', n.utilization, 1, { scale: 100, unit: '%' }),
        dayAndMinute(n.windowStart),
      ]);
      if (overTemperature.has(n.nodeId)) {
        tr.className = 'hot';
        tr.title = 'open OVER_TEMPERATURE alert';
      }
    });
  }

  function showAlerts(alerts) {
    const count = document.getElementById('alert-count');
    count.replaceChildren(figure('alerts.open', alerts.length, 0));
    const tbody = document.getElementById('alert-rows');
    tbody.replaceChildren();
    const newestFirst = alerts.slice().reverse();
    newestFirst.slice(0, 20).forEach((a, i) => {
      const n = 'alert.' + (i + 1) + '.';
      const tr = row(tbody, [dayAndMinute(a.startTime), text(n + 'alertType', a.alertType), text(n + 'nodeId', a.nodeId),
        a.clusterId, figure(n + 'value', a.value, 2), figure(n + 'threshold', a.threshold, 2)]);
      tr.title = a.message;
    });
    document.getElementById('alerts-more').textContent =
        alerts.length > 20 ? 'the newest 20 shown of ' + alerts.length : alerts.length === 0 ? 'none open' : '';
  }

  function showTenants(day, tenants) {
    document.getElementById('billing-day').replaceChildren(
        document.createTextNode('UTC day '), text('billing.day', day));
    const tbody = document.getElementById('tenant-rows');
    tbody.replaceChildren();
    tenants.forEach(t => {
      const f = (name, digits, extra) => figure('tenant.' + t.tenantId + '.' + name, t[name], digits, extra);
      const tr = row(tbody, [
        text('tenant.' + t.tenantId + '.tenantId', t.tenantId),
        f('lines', 0),
        f('promptTokens', 0),
        f('completionTokens', 0),
        f('energyJ', 2, { scale: 1 / 3.6e6, unit: 'kWh' }),
        f('energyCost', 4, { unit: t.currency || '' }),
        f('capacityCost', 4, { unit: t.currency || '' }),
        f('totalCost', 4, { unit: t.currency || '' }),
        f('carbonG', 1, { scale: 0.001, unit: 'kg' }),
        f('carbonPerMillionTokens', 1, { unit: 'g' }),
      ]);
      if (t.tenantId === '_idle') {
        tr.className = 'idle';
      }
    });
    if (!tenants.length) {
      row(tbody, ['no settled billing line on this day yet']).firstChild.colSpan = 8;
    }
  }

  // ---- refresh loop -------------------------------------------------------------------------

  async function refresh() {
    const body = document.body;
    try {
      const [fleetAnswer, clustersAnswer, nodesAnswer, alertsAnswer] = await Promise.all([
        api('/v1/fleet/metrics?limit=' + WINDOWS),
        api('/v1/clusters'),
        api('/v1/nodes'),
        api('/v1/alerts?open=true'),
      ]);
      const fleetWindows = fleetAnswer ? fleetAnswer.windows : [];
      const clusterIds = clustersAnswer ? clustersAnswer.clusters.map(c => c.clusterId) : [];
      const clusterAnswers = await Promise.all(clusterIds.map(id =>
          api('/v1/clusters/' + encodeURIComponent(id) + '/metrics?limit=' + WINDOWS)));
      const clusterWindows = {};
      clusterIds.forEach((id, i) => {
        clusterWindows[id] = clusterAnswers[i] ? clusterAnswers[i].windows : [];
      });

      const newest = fleetWindows.length ? fleetWindows[fleetWindows.length - 1] : null;
      let day = null;
      let tenants = [];
      if (newest) {
        // the current day is the UTC day of the newest fleet window, not the browser's day
        const from = new Date(Date.parse(newest.windowStart)).toISOString().slice(0, 10) + 'T00:00:00Z';
        const to = new Date(Date.parse(from) + 86400000).toISOString().slice(0, 10) + 'T00:00:00Z';
        day = from.slice(0, 10);
        const answer = await api('/v1/tenants?from=' + from + '&to=' + to);
        tenants = answer ? answer.tenants : [];
      }

      document.getElementById('newest').textContent = newest
          ? 'newest fleet minute ' + dayAndMinute(newest.windowStart) + ' UTC' + (newest.isFinal ? '' : ' (partial)')
          : 'no fleet window yet';
      body.dataset.newestWindow = newest ? newest.windowStart : '';
      showFleet(newestSettled(fleetWindows));
      showCharts(fleetWindows, clusterWindows);
      showClusters(clusterWindows);
      const openAlerts = alertsAnswer ? alertsAnswer.alerts : [];
      showHottest(nodesAnswer ? nodesAnswer.nodes : [], openAlerts);
      showAlerts(openAlerts);
      if (day) {
        showTenants(day, tenants);
      }
      document.getElementById('status').textContent = '';
      body.dataset.state = 'ok';
    } catch (e) {
      document.getElementById('status').textContent = 'Not updated: ' + e.message;
      body.dataset.state = 'error';
    }
    body.dataset.refreshes = String(Number(body.dataset.refreshes) + 1);
    setTimeout(refresh, REFRESH_MS);
  }

  refresh();
})();

// The page of `villagesim serve`: the scenario's values, a quick answer
// and then the full one, two policies side by side, downloads.
// Everything it needs comes from the server it was loaded from.
'use strict';

const WORDS = {
  en: {
    tool: 'villagesim', scenario: 'Scenario', inputs: 'Values', answer: 'Answer',
    inputs_hint: 'Change a value and press Enter: the scenario runs again on the same random numbers. Money in 万元 or yuan, rates in %. Ranges ("4% to 8%") stay uncertain; one value fixes them.',
    reset: 'Back to the file', save: 'Save to the scenario file…', downloads: 'Downloads',
    dl_brief_html: 'Brief (HTML)', dl_brief_md: 'Brief (Markdown)', dl_workbook: 'Workbook (Excel)', dl_scenario: 'Edited scenario (TOML)',
    downloads_hint: 'The brief and the workbook are of the full answer. The file on disk changes only when you save.',
    running: 'Simulating…', quick: (r, t) => `Quick answer: ${r} of ${t} runs. The full answer is on its way…`,
    full: (r) => `Full answer: ${r} runs.`,
    below_floor: (y) => `Villages below the floor, ${y}`, income: (y) => `Mean village income, ${y}`,
    all_above: (y) => `Chance every village is at the floor, ${y}`, at_risk: 'Villages at risk',
    at_risk_none: 'No village is below the floor in 20% of the runs or more.',
    at_risk_more: (n, m) => `${n} of ${m} shown.`, chance: 'chance below the floor',
    confirm_save: (f) => `Write the edited values into ${f}? The file's comments are kept.`,
    saved: (p) => `Saved to ${p}.`, yuan: 'yuan', wan: '万元', changed: 'changed',
    not_ready: 'when the full answer is in',
  },
  zh: {
    tool: 'villagesim', scenario: '情景', inputs: '参数', answer: '结果',
    inputs_hint: '修改数值后按回车：用同一组随机数重新模拟。金额以万元或元计，比率以 % 计。区间（如“4% 至 8%”）保持不确定；填一个数值即固定。',
    reset: '恢复文件中的数值', save: '保存到情景文件…', downloads: '下载',
    dl_brief_html: '简报（HTML）', dl_brief_md: '简报（Markdown）', dl_workbook: '工作簿（Excel）', dl_scenario: '修改后的情景（TOML）',
    downloads_hint: '简报和工作簿为完整结果。只有点击保存时才会修改磁盘上的文件。',
    running: '模拟中…', quick: (r, t) => `快速结果：${t} 次模拟中的 ${r} 次。完整结果稍后给出…`,
    full: (r) => `完整结果：${r} 次模拟。`,
    below_floor: (y) => `${y}年低于底线村数`, income: (y) => `${y}年村均经营性收入`,
    all_above: (y) => `${y}年全部村达到底线的概率`, at_risk: '风险村',
    at_risk_none: '没有村在 20% 及以上的模拟中低于底线。',
    at_risk_more: (n, m) => `显示 ${m} 个中的 ${n} 个。`, chance: '低于底线的概率',
    confirm_save: (f) => `将修改后的数值写入 ${f}？文件中的注释会保留。`,
    saved: (p) => `已保存到 ${p}。`, yuan: '元', wan: '万元', changed: '已修改',
    not_ready: '完整结果出来后可下载',
  },
};

const token = new URLSearchParams(location.search).get('token') || '';
const state = { lang: document.body.dataset.lang === 'zh' ? 'zh' : 'en', file: null, fields: [], edits: {}, gen: 0, view: null, picks: [0, -1], seq: 0 };
const $ = (sel) => document.querySelector(sel);
const w = () => WORDS[state.lang];

async function api(method, url, body) {
  const r = await fetch(url, {
    method,
    headers: { 'X-Villagesim-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function number(x, digits) {
  return x.toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function words() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = w()[el.dataset.t]; });
  document.querySelectorAll('.lang button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang)));
}

// --- values -----------------------------------------------------------

function fieldRow(f) {
  const row = document.createElement('div');
  row.className = 'field';
  row.dataset.path = f.path;
  const label = document.createElement('label');
  const id = 'f-' + f.path.replace(/[^A-Za-z0-9_-]/g, '_');
  label.htmlFor = id;
  label.textContent = state.lang === 'zh' ? f.label_zh : f.label_en;
  label.title = f.path;
  const input = document.createElement('input');
  input.id = id;
  input.dataset.path = f.path;
  const unit = document.createElement(f.unit === 'money' && !f.uncertain ? 'select' : 'span');
  unit.className = 'unit';
  if (f.uncertain || f.value === null) {
    input.type = 'text';
    input.value = f.text;
  } else {
    input.type = 'number';
    input.step = 'any';
    if (f.unit === 'money') {
      // Amounts of 万元 and more are entered in 万元, prices in yuan.
      const wan = Math.abs(f.value) >= 1e4;
      input.value = String(+(wan ? f.value / 1e4 : f.value).toPrecision(12));
      for (const [v, t] of [['wan', w().wan], ['yuan', w().yuan]]) {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = t;
        unit.appendChild(o);
      }
      unit.value = wan ? 'wan' : 'yuan';
      unit.addEventListener('change', () => {
        const x = parseFloat(input.value);
        if (!Number.isNaN(x)) input.value = String(+(unit.value === 'wan' ? x / 1e4 : x * 1e4).toPrecision(12));
      });
    } else if (f.unit === 'rate') {
      input.value = String(+(f.value * 100).toPrecision(12));
      unit.textContent = '%';
    } else {
      input.value = String(f.value);
    }
  }
  if (f.path in state.edits) row.classList.add('changed');
  input.addEventListener('change', () => {
    const v = input.value.trim();
    if (v === '') return;
    let text = v;
    if (input.type === 'number') {
      if (f.unit === 'money') text = unit.value === 'wan' ? `${v}万` : v;
      if (f.unit === 'rate') text = `${v}%`;
    }
    state.edits[f.path] = text;
    row.classList.add('changed');
    run();
  });
  row.append(label, input, unit);
  return row;
}

function showFields() {
  const form = $('#fields');
  form.replaceChildren(...state.fields.map(fieldRow));
}

// --- runs -------------------------------------------------------------

async function run() {
  const seq = ++state.seq;
  $('#status').textContent = w().running;
  $('#save').disabled = true;
  document.body.classList.add('busy');
  try {
    const edits = Object.entries(state.edits).map(([path, text]) => ({ path, text }));
    const res = await api('POST', '/api/run', { file: state.file, edits, lang: state.lang });
    if (seq !== state.seq) return;
    $('#error').hidden = true;
    state.gen = res.gen;
    const paths = res.fields.map((f) => f.path).join('\n');
    const same = paths === state.fields.map((f) => f.path).join('\n');
    state.fields = res.fields;
    if (!same) showFields();
    show(res.view);
    if (res.view.stage !== 'full') waitFull(res.gen);
  } catch (e) {
    if (seq !== state.seq) return;
    document.body.classList.remove('busy');
    $('#status').textContent = '';
    $('#error').textContent = e.message;
    $('#error').hidden = false;
  }
}

async function waitFull(gen) {
  while (gen === state.gen) {
    let res;
    try {
      res = await api('GET', `/api/result?gen=${gen}&lang=${state.lang}&wait=15`);
    } catch (e) {
      if (gen === state.gen) { $('#error').textContent = e.message; $('#error').hidden = false; }
      return;
    }
    if (res.superseded || gen !== state.gen) return;
    if (res.view.stage === 'full') {
      // The language may have been switched while this request waited.
      if (res.view.lang !== state.lang) {
        try {
          res = await api('GET', `/api/result?gen=${gen}&lang=${state.lang}&wait=0`);
        } catch (e) { return; }
        if (res.superseded || gen !== state.gen) return;
      }
      show(res.view);
      return;
    }
  }
}

// --- the answer -------------------------------------------------------

function figure(cls, label, text, value) {
  const p = document.createElement('p');
  p.className = 'figure ' + cls;
  const l = document.createElement('span');
  l.className = 'label';
  l.textContent = label;
  const v = document.createElement('strong');
  v.className = 'value';
  v.dataset.value = String(value);
  v.textContent = text;
  p.append(l, v);
  return p;
}

function policyBody(p, year) {
  const s = p.summary;
  const body = document.createElement('div');
  const bf = s.expected_villages_below_floor;
  const inc = s.mean_village_income_yuan;
  const all = s.p_all_above_floor;
  body.append(
    figure('below-floor', w().below_floor(year), p.texts.below_floor, bf.mean),
    figure('income', w().income(year), p.texts.income, inc.mean),
    figure('all-above', w().all_above(year), p.texts.all_above, all.value),
  );
  const line = document.createElement('p');
  line.className = 'line';
  line.textContent = p.line;
  body.append(line);
  const h = document.createElement('h3');
  h.textContent = w().at_risk;
  body.append(h);
  if (p.at_risk.length === 0) {
    const none = document.createElement('p');
    none.textContent = w().at_risk_none;
    body.append(none);
  } else {
    const table = document.createElement('table');
    table.className = 'at-risk';
    for (const v of p.at_risk) {
      const tr = table.insertRow();
      tr.insertCell().textContent = v.township ? `${v.village} (${v.township})` : v.village;
      tr.insertCell().textContent = v.income_text;
      const c = tr.insertCell();
      c.textContent = v.chance_text;
      c.title = w().chance;
    }
    body.append(table);
    if (p.at_risk_count > p.at_risk.length) {
      const more = document.createElement('p');
      more.textContent = w().at_risk_more(p.at_risk.length, p.at_risk_count);
      body.append(more);
    }
  }
  return body;
}

function showPolicies(view) {
  const n = view.policies.length;
  // Policy A starts as the first (doing nothing), B as the last (usually the whole package).
  state.picks = state.picks.map((i) => (i >= 0 && i < n ? i : n - 1));
  ['#policy-a', '#policy-b'].forEach((sel, k) => {
    const box = $(sel);
    const pick = box.querySelector('.pick');
    pick.replaceChildren(...view.policies.map((p, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = p.label;
      return o;
    }));
    pick.value = String(state.picks[k]);
    const p = view.policies[state.picks[k]];
    box.dataset.policy = p.summary.name;
    box.querySelector('.body').replaceChildren(policyBody(p, view.final_year));
  });
}

function show(view) {
  state.view = view;
  document.body.classList.toggle('busy', view.stage !== 'full');
  // Save writes the run shown, so only a finished one with no error after it.
  $('#save').disabled = view.stage !== 'full';
  $('#title').textContent = view.scenario;
  const lead = $('#lead');
  lead.textContent = view.lead;
  lead.dataset.gen = String(view.gen);
  lead.dataset.stage = view.stage;
  lead.dataset.lang = view.lang;
  $('#precision').textContent = view.precision;
  const runs = number(view.runs, 0);
  $('#status').textContent = view.stage === 'full' ? w().full(runs) : w().quick(runs, number(view.total_runs, 0));
  showPolicies(view);
  $('#charts').replaceChildren(...view.charts.map((c) => {
    const fig = document.createElement('figure');
    fig.className = 'chart';
    fig.dataset.stem = c.stem;
    fig.setAttribute('aria-label', c.title);
    fig.innerHTML = c.svg;
    return fig;
  }));
  document.querySelectorAll('.downloads a').forEach((a) => {
    const ready = view.stage === 'full' || a.dataset.name === 'scenario.toml';
    const q = new URLSearchParams({ gen: String(view.gen), lang: view.lang, token });
    if (ready) { a.href = `/download/${a.dataset.name}?${q}`; a.removeAttribute('aria-disabled'); a.title = ''; } else { a.removeAttribute('href'); a.setAttribute('aria-disabled', 'true'); a.title = w().not_ready; }
  });
}

async function setLang(lang) {
  state.lang = lang;
  words();
  showFields();
  if (state.gen) {
    try {
      const gen = state.gen;
      const res = await api('GET', `/api/result?gen=${gen}&lang=${lang}&wait=0`);
      if (!res.superseded && gen === state.gen && lang === state.lang) show(res.view);
    } catch (e) { /* the next run shows it */ }
  }
}

async function start() {
  words();
  document.querySelectorAll('.lang button').forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));
  $('#fields').addEventListener('submit', (e) => e.preventDefault());
  ['#policy-a', '#policy-b'].forEach((sel, k) => {
    $(sel).querySelector('.pick').addEventListener('change', (e) => {
      state.picks[k] = parseInt(e.target.value, 10);
      if (state.view) showPolicies(state.view);
    });
  });
  $('#reset').addEventListener('click', () => { state.edits = {}; state.fields = []; run(); });
  $('#save').addEventListener('click', async () => {
    if (!confirm(w().confirm_save(state.file))) return;
    try {
      const res = await api('POST', '/api/save', { gen: state.gen });
      $('#saved').textContent = w().saved(res.saved);
    } catch (e) { $('#saved').textContent = e.message; }
  });
  let list;
  try {
    list = await api('GET', '/api/scenarios');
  } catch (e) {
    $('#error').textContent = e.message;
    $('#error').hidden = false;
    return;
  }
  const select = $('#scenario');
  select.replaceChildren(...list.map((s) => {
    const o = document.createElement('option');
    o.value = s.file;
    o.textContent = s.error ? `${s.file} (!)` : `${s.file}: ${state.lang === 'zh' ? s.title_zh : s.title_en}`;
    return o;
  }));
  select.addEventListener('change', () => { state.file = select.value; state.edits = {}; state.fields = []; state.picks = [0, -1]; run(); });
  state.file = list[0].file;
  run();
}

start();

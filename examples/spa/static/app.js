// Flask-Preflight demo front end: plain JavaScript, no build step.
// Each button makes real cross-origin fetch() calls and shows what the browser let it see.
"use strict";

const state = { api: null, counts: {} };
// One token per step and page load: the API counts the OPTIONS and other requests that carry
// it (?t=...), and the preflight cache is per URL, so a second click can show a cache hit.
const pageLoad = Math.random().toString(36).slice(2, 8);

const json = (value) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(value),
});

// name: [{step, path, init, preflighted}] -- preflighted: whether the browser must ask first.
const scenarios = {
  "simple-get": [{ step: "hello", path: "/api/hello", init: {}, preflighted: false }],
  "json-post": [{ step: "echo", path: "/api/echo", init: json({ hello: "world" }), preflighted: true }],
  credentials: [
    {
      step: "login",
      path: "/api/session",
      init: { ...json({ user: "ada" }), credentials: "include" },
      preflighted: true,
    },
    { step: "me", path: "/api/session/me", init: { credentials: "include" }, preflighted: false },
  ],
  patch: [
    {
      step: "profile",
      path: "/api/profile",
      init: { ...json({ nickname: "ada" }), method: "patch" },
      preflighted: true,
    },
  ],
  "no-cors": [{ step: "metrics", path: "/internal/metrics", init: {}, preflighted: false }],
  error: [{ step: "order", path: "/api/orders/404", init: {}, preflighted: false }],
};

async function traffic(token) {
  const response = await fetch(`${state.api}/api/traffic?token=${encodeURIComponent(token)}`);
  return response.json();
}

async function call({ step, path, init }) {
  const token = `${step}-${pageLoad}`;
  const url = `${state.api}${path}?t=${token}`;
  const before = state.counts[token] || { preflights: 0, requests: 0 };
  let outcome;
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    const headers = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    outcome = { ok: true, status: response.status, statusText: response.statusText, body, headers };
  } catch (error) {
    outcome = { ok: false, error: String(error) };
  }
  const after = await traffic(token);
  state.counts[token] = after;
  return {
    url,
    outcome,
    preflights: after.preflights - before.preflights,
    requests: after.requests - before.requests,
  };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function describeInit(init) {
  const parts = [];
  if (init.method) parts.push(`method: "${init.method}"`);
  if (init.credentials) parts.push(`credentials: "${init.credentials}"`);
  if (init.headers) parts.push(`headers: ${JSON.stringify(init.headers)}`);
  if (init.body !== undefined) parts.push(`body: '${init.body}'`);
  return parts.length ? `{${parts.join(", ")}}` : "(defaults)";
}

function pretty(body) {
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return body;
  }
}

function render(card, spec, result) {
  const list = card.querySelector(".result");
  const add = (label, className, text, extra) => {
    list.append(el("dt", "", label));
    const dd = el("dd", className, text);
    if (extra) dd.append(el("small", "", extra));
    list.append(dd);
  };
  const method = spec.init.method || "GET";
  add("Request", "request", `${method} ${result.url}`, `fetch options: ${describeInit(spec.init)}`);

  let preflight;
  if (result.preflights > 0) {
    preflight = `yes: ${result.preflights} OPTIONS before the request`;
  } else if (spec.preflighted) {
    preflight = "no: the browser reused its cached preflight";
  } else {
    preflight = "no: a simple request, sent directly";
  }
  add("Preflight", "preflight", preflight);
  add("Server", "server", `received ${result.requests} request${result.requests === 1 ? "" : "s"}`);

  const outcome = result.outcome;
  if (outcome.ok) {
    const extra = Object.entries(outcome.headers)
      .filter(([name]) => name.startsWith("x-"))
      .map(([name, value]) => `readable header ${name}: ${value}`)
      .join("; ");
    add(
      "Response",
      `response ${outcome.status < 400 ? "ok" : "http-error"}`,
      `${outcome.status} ${outcome.statusText} ${pretty(outcome.body)}`,
      extra || undefined,
    );
  } else {
    add(
      "Failure",
      "response failed",
      outcome.error,
      "the browser blocked the response (no Access-Control-Allow-Origin); the console says why",
    );
  }
}

async function run(name) {
  const card = document.getElementById(name);
  const button = card.querySelector("button");
  button.disabled = true;
  card.dataset.state = "running";
  card.querySelector(".result").replaceChildren();
  const outcomes = [];
  for (const spec of scenarios[name]) {
    const result = await call(spec);
    render(card, spec, result);
    outcomes.push(result.outcome);
  }
  const failed = outcomes.some((outcome) => !outcome.ok);
  const httpError = outcomes.some((outcome) => outcome.ok && outcome.status >= 400);
  const badge = card.querySelector(".badge");
  if (failed) {
    badge.textContent = "blocked by the browser";
    badge.className = "badge failed";
  } else if (httpError) {
    badge.textContent = "error response, readable";
    badge.className = "badge http-error";
  } else {
    badge.textContent = "readable";
    badge.className = "badge ok";
  }
  card.dataset.outcome = failed ? "failed" : "ok";
  card.dataset.runs = String(Number(card.dataset.runs || 0) + 1);
  card.dataset.state = "done";
  button.disabled = false;
}

async function main() {
  const config = await (await fetch("/config.json")).json();
  state.api = config.apiOrigin;
  document.getElementById("page-origin").textContent = window.location.origin;
  document.getElementById("api-origin").textContent = state.api;
  for (const button of document.querySelectorAll("button[data-run]")) {
    button.addEventListener("click", () => run(button.dataset.run));
    button.disabled = false;
  }
  const runAll = document.getElementById("run-all");
  runAll.addEventListener("click", async () => {
    runAll.disabled = true;
    for (const name of Object.keys(scenarios)) await run(name);
    runAll.disabled = false;
  });
  runAll.disabled = false;
  document.getElementById("status").textContent = "ready";
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  document.getElementById("status").textContent = `could not start: ${error}`;
});

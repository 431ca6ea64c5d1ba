// TAG web page: plain script, no build step, talks only to this server's /v1 API.
"use strict";

(() => {
  const HISTORY_KEY = "tag.history";
  const API_KEY_KEY = "tag.apiKey";
  const HISTORY_MAX = 50;
  const TERMINAL = new Set(["done", "failed", "cancelled"]);
  // Which engines workers serve changes as workers come and go.
  const ENGINES_REFRESH_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const form = $("generate-form");
  const prompt = $("prompt");
  const promptCount = $("prompt-count");
  const range = $("duration-range");
  const number = $("duration");
  const engine = $("engine");
  const seed = $("seed");
  const steps = $("steps");
  const candidates = $("candidates");
  const apiKeyField = $("api-key-field");
  const apiKey = $("api-key");
  const generate = $("generate");
  const cancel = $("cancel");
  const statusLine = $("status");
  const progress = $("progress");
  const result = $("result");
  const player = $("player");
  const canvas = $("picture");

  let config = null;        // GET /v1/engines
  let current = null;       // id of the generation on screen
  let following = null;     // AbortController of the event stream being read
  let objectUrls = [];      // blob: URLs to release when the result changes

  // ---------------------------------------------------------------- API
  function headers(extra) {
    const h = Object.assign({}, extra || {});
    const key = apiKey.value.trim();
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = headers(opts.headers);
    const response = await fetch(path, opts);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const error = new Error((body && body.detail) || response.statusText || "request failed");
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  // ------------------------------------------------------------ status UI
  // kind: true or "error" (red), "warning" (amber), "done" (green), else plain.
  function say(text, kind) {
    const name = kind === true ? "error" : kind || "";
    statusLine.textContent = text;
    for (const k of ["error", "warning", "done"]) statusLine.classList.toggle(k, k === name);
  }

  function warned(doc) {
    return doc.status === "done" && !!doc.result && (doc.result.warnings || []).length > 0;
  }

  function describe(doc) {
    switch (doc.status) {
      case "queued":
        // No worker to take it: say so, and until when it is kept, not a place in line.
        if (doc.notice) return `Queued — ${doc.notice}${until(doc.expires_at)}.`;
        return doc.position ? `Queued — position ${doc.position} in line` : "Queued";
      case "generating": {
        const pct = Math.round(doc.percent || 0);
        const stage = doc.stage && doc.stage !== "started" ? ` (${doc.stage})` : "";
        return `Generating — ${pct}%${stage}`;
      }
      case "done": {
        // A delivered sound that is not what was asked for is not called done.
        if (warned(doc)) return "⚠ Not what you asked for — see the warning below";
        const secs = doc.timings.generation_seconds;
        return secs != null ? `Done in ${secs.toFixed(1)} s` : "Done";
      }
      case "failed":
        return "Failed: " + (doc.error ? doc.error.message : "unknown reason");
      case "cancelled":
        return "Cancelled";
      default:
        return doc.status;
    }
  }

  function until(unixSeconds) {
    if (!unixSeconds) return "";
    const when = new Date(unixSeconds * 1000);
    return ` (until ${when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })})`;
  }

  function showStatus(doc) {
    const kind = doc.status === "failed" ? "error" : warned(doc) ? "warning" : doc.status === "done" ? "done" : "";
    say(describe(doc), kind);
    const active = !TERMINAL.has(doc.status);
    progress.hidden = !active;
    if (doc.status === "queued") {
      progress.removeAttribute("value"); // indeterminate while waiting
    } else if (active) {
      progress.value = doc.percent || 0;
    }
    progress.setAttribute("aria-valuetext", describe(doc));
    cancel.hidden = doc.status !== "queued";
    generate.disabled = active;
    generate.textContent = active ? "Generating…" : "Generate";
  }

  // ------------------------------------------------------------- history
  function loadHistory() {
    try {
      const items = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  function saveHistory(items) {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(0, HISTORY_MAX)));
  }

  function remember(doc) {
    const items = loadHistory();
    const entry = {
      id: doc.id,
      prompt: doc.parameters.prompt,
      duration: doc.parameters.duration,
      status: doc.status,
      warned: warned(doc),
      created: doc.timings.created_at,
    };
    const at = items.findIndex((item) => item.id === doc.id);
    if (at >= 0) items[at] = Object.assign(items[at], entry);
    else items.unshift(entry);
    saveHistory(items);
    renderHistory();
  }

  function renderHistory() {
    const items = loadHistory();
    const list = $("history-list");
    list.replaceChildren();
    $("history-empty").hidden = items.length > 0;
    $("clear-history").hidden = items.length === 0;
    for (const item of items) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "history-item";
      button.dataset.id = item.id;
      if (item.id === current) button.setAttribute("aria-current", "true");
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = item.prompt;
      const state = document.createElement("span");
      state.className = "state";
      const when = new Date(item.created * 1000);
      const status = item.warned ? `${item.status} ⚠ not as asked` : item.status;
      state.textContent = `${item.duration} s · ${status} · ${when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
      button.append(what, state);
      button.setAttribute("aria-label", `${item.prompt}, ${item.duration} seconds, ${status}`);
      button.addEventListener("click", () => open(item.id));
      li.append(button);
      list.append(li);
    }
  }

  // ------------------------------------------------------------ following
  async function open(id) {
    try {
      const doc = await api(`/v1/generations/${encodeURIComponent(id)}`);
      show(doc);
    } catch (error) {
      if (error.status === 404) {
        const items = loadHistory();
        const item = items.find((i) => i.id === id);
        if (item) { item.status = "expired"; saveHistory(items); renderHistory(); }
        say("That generation is no longer kept on the server.", true);
      } else {
        say("Could not load it: " + error.message, true);
      }
    }
  }

  function show(doc) {
    current = doc.id;
    remember(doc);
    showStatus(doc);
    if (doc.status === "done") showResult(doc);
    else result.hidden = true;
    if (!TERMINAL.has(doc.status)) follow(doc.id);
  }

  function update(doc) {
    if (doc.id !== current) return;
    const previous = loadHistory().find((i) => i.id === doc.id);
    remember(doc);
    showStatus(doc);
    if (doc.status === "done" && (!previous || previous.status !== "done" || result.hidden)) showResult(doc);
  }

  // Server-sent events, read with fetch so an API key can go in a header.
  async function follow(id) {
    if (following) following.abort();
    const controller = new AbortController();
    following = controller;
    let last = null;
    try {
      const response = await fetch(`/v1/generations/${encodeURIComponent(id)}/events`, {
        headers: headers({ Accept: "text/event-stream" }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error("no event stream");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
          }
          if (event === "status" && data.length) {
            last = JSON.parse(data.join("\n"));
            update(last);
          }
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    if (following === controller) following = null;
    // The stream ended early (server restart, proxy): poll until the end.
    if (!controller.signal.aborted && current === id && (!last || !TERMINAL.has(last.status))) {
      setTimeout(() => { if (current === id) poll(id); }, 1000);
    }
  }

  async function poll(id) {
    try {
      const doc = await api(`/v1/generations/${encodeURIComponent(id)}`);
      update(doc);
      if (!TERMINAL.has(doc.status)) follow(id);
    } catch (error) {
      say("Lost track of the generation: " + error.message, true);
    }
  }

  // --------------------------------------------------------------- result
  function releaseUrls() {
    for (const url of objectUrls) URL.revokeObjectURL(url);
    objectUrls = [];
  }

  async function fetchBlob(url) {
    const response = await fetch(url, { headers: headers() });
    if (!response.ok) throw new Error("audio download failed: " + response.status);
    return response.blob();
  }

  async function showResult(doc) {
    releaseUrls();
    result.hidden = false;
    $("result-prompt").textContent = "“" + doc.parameters.prompt + "”";
    const r = doc.result;
    showWarnings(r.warnings || [], r.suggestions || []);
    const meta = [`${(r.duration ?? doc.parameters.duration).toFixed(2)} s`];
    if (r.engine) meta.push(`engine ${r.engine}`);
    if (r.sample_rate) meta.push(`${r.sample_rate} Hz`);
    // The seed makes the sound again: send it in the Seed field.
    if (r.seed != null) meta.push(`seed ${r.seed}`);
    $("result-meta").textContent = meta.join(" · ") + (r.notices && r.notices.length ? " — " + r.notices.join(" ") : "");
    const base = `/v1/generations/${encodeURIComponent(doc.id)}/audio`;
    const needsKey = !!apiKey.value.trim();
    for (const fmt of ["wav", "ogg", "mp3"]) {
      const link = $("download-" + fmt);
      const url = `${base}?format=${fmt}&download=true`;
      link.href = url;
      link.download = slug(doc.parameters.prompt) + "." + fmt;
      link.onclick = needsKey ? (event) => { event.preventDefault(); downloadWithKey(url, link.download); } : null;
    }
    let wav = null;
    try {
      wav = await fetchBlob(`${base}?format=wav`);
    } catch (error) {
      say(error.message, true);
      return;
    }
    if (doc.id !== current) return;
    // Without keys the player streams from the server (Range requests let it seek);
    // with keys the browser cannot add the header, so it plays the fetched copy.
    if (needsKey) {
      const url = URL.createObjectURL(wav);
      objectUrls.push(url);
      player.src = url;
    } else {
      player.src = `${base}?format=wav`;
    }
    drawPicture(await wav.arrayBuffer(), r.sample_rate || 44100);
  }

  function showWarnings(warnings, suggestions) {
    $("result-warning").hidden = warnings.length === 0;
    $("warning-text").textContent = warnings.join(" ");
    const group = $("suggestions");
    group.hidden = suggestions.length === 0;
    for (const old of group.querySelectorAll("button")) old.remove();
    for (const text of suggestions) {
      const button = promptChip(text, text);
      button.title = "Generate this instead";
      button.addEventListener("click", () => form.requestSubmit());
      group.append(button);
    }
  }

  // A button that puts ``text`` into the prompt (listeners added after this one run after the fill).
  function promptChip(label, text) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip";
    button.dataset.prompt = text;
    button.textContent = label;
    button.addEventListener("click", () => {
      prompt.value = text;
      countPrompt();
      prompt.focus();
    });
    return button;
  }

  // ---------------------------------------------------------- known sounds
  // Loaded the first time the section is opened, in the browser's language (Accept-Language).
  let soundsLoaded = false;
  async function loadSounds() {
    if (soundsLoaded) return;
    soundsLoaded = true;
    const status = $("sounds-status");
    status.textContent = "Loading…";
    let listing;
    try {
      listing = await api("/v1/sounds");
    } catch (error) {
      soundsLoaded = false;
      status.textContent = "Could not load the list: " + error.message;
      return;
    }
    const list = $("sounds-list");
    list.replaceChildren();
    list.lang = listing.language;
    listing.families.forEach((family, index) => {
      const heading = document.createElement("h3");
      heading.id = `family-${index}`;
      heading.textContent = family.family;
      const group = document.createElement("div");
      group.className = "examples";
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", heading.id);
      for (const sound of family.sounds) {
        const button = promptChip(sound.title, sound.example);
        button.title = sound.example;
        group.append(button);
      }
      list.append(heading, group);
    });
    status.textContent = "";
  }

  async function downloadWithKey(url, name) {
    try {
      const blob = await fetchBlob(url);
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
    } catch (error) {
      say(error.message, true);
    }
  }

  function slug(text) {
    const words = text.toLowerCase().match(/[a-z0-9]+/g) || [];
    return words.slice(0, 6).join("-") || "sound";
  }

  // --------------------------------------------------------------- picture
  async function drawPicture(buffer, sampleRate) {
    let samples;
    try {
      const context = new OfflineAudioContext(1, 1, sampleRate);
      const decoded = await context.decodeAudioData(buffer);
      samples = decoded.getChannelData(0);
    } catch (error) {
      canvas.dataset.drawn = "error";
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(100, Math.round(canvas.clientHeight * ratio));
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext("2d");
    g.fillStyle = "#0d1020";
    g.fillRect(0, 0, width, height);
    const waveHeight = Math.round(height * 0.38);
    drawSpectrogram(g, samples, sampleRate, 0, waveHeight, width, height - waveHeight);
    drawWaveform(g, samples, 0, 0, width, waveHeight);
    canvas.dataset.drawn = "yes";
    canvas.setAttribute("aria-label", `Waveform and spectrogram of ${(samples.length / sampleRate).toFixed(1)} seconds of sound`);
  }

  function drawWaveform(g, samples, x0, y0, width, height) {
    const mid = y0 + height / 2;
    const per = samples.length / width;
    g.fillStyle = "#8ea2ff";
    for (let x = 0; x < width; x++) {
      let lo = 0, hi = 0;
      const start = Math.floor(x * per), end = Math.min(samples.length, Math.floor((x + 1) * per) + 1);
      for (let i = start; i < end; i++) {
        const v = samples[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const top = mid - hi * (height / 2 - 2);
      const bottom = mid - lo * (height / 2 - 2);
      g.fillRect(x0 + x, top, 1, Math.max(1, bottom - top));
    }
  }

  function drawSpectrogram(g, samples, sampleRate, x0, y0, width, height) {
    const size = 512;
    const window = new Float32Array(size);
    for (let i = 0; i < size; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1));
    const columns = Math.min(width, Math.max(1, Math.floor(samples.length / 64)));
    const hop = Math.max(1, (samples.length - size) / Math.max(1, columns - 1));
    const bins = size / 2;
    const image = g.createImageData(columns, height);
    const re = new Float32Array(size), im = new Float32Array(size);
    // Log-spaced rows show low frequencies, where most sound lives, larger.
    const rowBin = new Int32Array(height);
    const lowest = Math.max(2, 60 / (sampleRate / size)); // skip DC and the lowest bins
    for (let y = 0; y < height; y++) {
      const f = 1 - y / (height - 1);
      rowBin[y] = Math.min(bins - 1, Math.max(1, Math.round(lowest * Math.pow(bins / lowest, f))));
    }
    // First the levels in dB, then colours relative to the loudest point, so
    // quiet and loud sounds both use the whole palette.
    const levels = new Float32Array(columns * height);
    let loudest = -Infinity;
    for (let c = 0; c < columns; c++) {
      const start = Math.round(c * hop);
      for (let i = 0; i < size; i++) {
        re[i] = (samples[start + i] || 0) * window[i];
        im[i] = 0;
      }
      fft(re, im);
      for (let y = 0; y < height; y++) {
        const k = rowBin[y];
        const db = 10 * Math.log10(re[k] * re[k] + im[k] * im[k] + 1e-12);
        levels[y * columns + c] = db;
        if (db > loudest) loudest = db;
      }
    }
    const spanDb = 75;
    for (let p = 0; p < levels.length; p++) {
      const level = Math.min(1, Math.max(0, (levels[p] - (loudest - spanDb)) / spanDb));
      const [r, gr, b] = palette(level);
      image.data[p * 4] = r; image.data[p * 4 + 1] = gr; image.data[p * 4 + 2] = b; image.data[p * 4 + 3] = 255;
    }
    // Draw at column resolution, then stretch to the full width.
    const tmp = document.createElement("canvas");
    tmp.width = columns;
    tmp.height = height;
    tmp.getContext("2d").putImageData(image, 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(tmp, x0, y0, width, height);
  }

  function palette(t) {
    // Dark blue -> violet -> orange -> pale yellow.
    const stops = [[13, 16, 32], [72, 32, 140], [210, 70, 90], [250, 170, 60], [255, 245, 200]];
    const x = t * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    return stops[i].map((v, j) => Math.round(v + (stops[i + 1][j] - v) * f));
  }

  // In-place iterative radix-2 FFT (length a power of two).
  function fft(re, im) {
    const n = re.length;
    for (let i = 1, j = 0; i < n; i++) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) {
        [re[i], re[j]] = [re[j], re[i]];
        [im[i], im[j]] = [im[j], im[i]];
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const angle = (-2 * Math.PI) / len;
      const wr = Math.cos(angle), wi = Math.sin(angle);
      for (let i = 0; i < n; i += len) {
        let cr = 1, ci = 0;
        for (let k = 0; k < len / 2; k++) {
          const a = i + k, b = a + len / 2;
          const tr = re[b] * cr - im[b] * ci;
          const ti = re[b] * ci + im[b] * cr;
          re[b] = re[a] - tr; im[b] = im[a] - ti;
          re[a] += tr; im[a] += ti;
          const next = cr * wr - ci * wi;
          ci = cr * wi + ci * wr;
          cr = next;
        }
      }
    }
  }

  // ----------------------------------------------------------------- form
  function syncDuration(source) {
    const value = parseFloat(source.value);
    if (Number.isFinite(value)) {
      if (source === range) number.value = value;
      else range.value = value;
    }
  }

  function optionalInt(input) {
    const text = input.value.trim();
    return text === "" ? null : Number(text);
  }

  function markInvalid(errors) {
    for (const input of [prompt, number, seed, steps, candidates, engine]) input.removeAttribute("aria-invalid");
    const byField = { prompt, duration: number, seed, steps, candidates, engine };
    let first = null;
    for (const e of errors || []) {
      const input = byField[e.field];
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
    }
    if (first) {
      if (first !== prompt && first !== number) $("advanced").open = true;
      first.focus();
    }
  }

  async function submit(event) {
    event.preventDefault();
    if (generate.disabled) return;
    markInvalid([]);
    const chosen = engine.selectedOptions[0];
    if (chosen && chosen.disabled) {
      say(`Engine ${chosen.value} is unavailable right now; choose another.`, true);
      markInvalid([{ field: "engine" }]);
      return;
    }
    const body = {
      prompt: prompt.value,
      duration: Number(number.value),
      engine: engine.value || null,
      seed: optionalInt(seed),
      steps: optionalInt(steps),
      candidates: optionalInt(candidates),
      format: "wav",
    };
    generate.disabled = true;
    say("Sending…");
    try {
      const accepted = await api("/v1/generations", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      result.hidden = true;
      // Say it is queued at once: a fast worker may be done before the next look.
      showStatus(accepted);
      const doc = await api(accepted.url);
      show(doc);
    } catch (error) {
      generate.disabled = false;
      generate.textContent = "Generate";
      say(error.message, true);
      if (error.status === 422 && error.body) markInvalid(error.body.errors);
      if (error.status === 401) { apiKeyField.hidden = false; $("advanced").open = true; apiKey.focus(); }
      if (error.status === 503) refreshEngines();
    }
  }

  async function cancelCurrent() {
    if (!current) return;
    try {
      const doc = await api(`/v1/generations/${encodeURIComponent(current)}`, { method: "DELETE" });
      update(doc);
      if (following) following.abort();
      generate.focus();
    } catch (error) {
      say(error.message, true);
    }
  }

  async function loadConfig() {
    try {
      config = await api("/v1/engines");
    } catch (error) {
      say("The server did not answer: " + error.message, true);
      return;
    }
    const limits = config.limits;
    for (const input of [range, number]) {
      input.min = limits.min_duration;
      input.max = limits.max_duration;
    }
    prompt.maxLength = limits.prompt_max_chars;
    steps.max = limits.steps_max;
    candidates.max = limits.candidates_max;
    renderEngines();
    setInterval(refreshEngines, ENGINES_REFRESH_MS);
    apiKeyField.hidden = !config.auth_required;
    // The key lives among the advanced options; show it when it is still missing.  Opened on the next
    // frame: Chromium may leave a <details> opened before its first layout drawn closed (content 0 x 0).
    if (config.auth_required && !apiKey.value.trim()) requestAnimationFrame(() => { $("advanced").open = true; });
  }

  // Engines no live worker serves are shown, but cannot be chosen.
  function renderEngines() {
    const auto = engine.querySelector("option[value='']");
    auto.textContent = config.workers_alive > 0 ? "Default (auto)" : "Default (auto) — no worker running, requests wait";
    for (const spec of config.engines) {
      let option = [...engine.options].find((o) => o.value === spec.name);
      if (!option) {
        option = document.createElement("option");
        option.value = spec.name;
        engine.append(option);
      }
      option.disabled = !spec.accepts_requests;
      option.textContent = spec.accepts_requests ? spec.name : `${spec.name} — unavailable: ${spec.unavailable_reason}`;
      option.title = spec.description;
    }
  }

  async function refreshEngines() {
    try {
      config = await api("/v1/engines");
      renderEngines();
    } catch (error) {
      // Keep the last list; the next refresh or submit tells more.
    }
  }

  function countPrompt() {
    promptCount.textContent = `${prompt.value.length} / ${prompt.maxLength}`;
  }

  // ----------------------------------------------------------------- wiring
  range.addEventListener("input", () => syncDuration(range));
  number.addEventListener("input", () => syncDuration(number));
  prompt.addEventListener("input", countPrompt);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  $("known-sounds").addEventListener("toggle", () => { if ($("known-sounds").open) loadSounds(); });
  for (const chip of document.querySelectorAll(".chip")) {
    chip.addEventListener("click", () => {
      prompt.value = chip.dataset.prompt;
      countPrompt();
      prompt.focus();
    });
  }
  apiKey.value = localStorage.getItem(API_KEY_KEY) || "";
  apiKey.addEventListener("change", () => localStorage.setItem(API_KEY_KEY, apiKey.value.trim()));
  form.addEventListener("submit", submit);
  cancel.addEventListener("click", cancelCurrent);
  $("clear-history").addEventListener("click", () => {
    saveHistory([]);
    renderHistory();
    say("History cleared.");
  });

  renderHistory();
  countPrompt();
  loadConfig().then(() => {
    // After a reload, pick up the newest generation if it is still running.
    const latest = loadHistory()[0];
    if (latest && !TERMINAL.has(latest.status) && latest.status !== "expired") open(latest.id);
  });
})();

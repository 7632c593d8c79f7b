/* proxydocs in the browser, 3 of 3: the page. Fills the form, re-renders every tagged block
 * and prose value with the core (core.js) when the reader types, keeps, shares and resets.
 */
(function () {
  "use strict";
  const DATA = window.PROXYDOCS_DATA;
  if (!DATA || !window.proxydocsCore) return;
  const core = window.proxydocsCore.make(DATA);
  const { parseAll, renderAll, substitutions } = core;
  window.proxydocs = Object.assign({ Refusal: window.proxydocsCore.Refusal }, core);

  const STORAGE = "proxydocs.settings";
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

  function blocks() {
    const found = [];
    for (const el of document.querySelectorAll("div[class*='pd-snippet-']")) {
      const cls = [...el.classList];
      const id = cls.find((c) => c.startsWith("pd-snippet-")).slice("pd-snippet-".length);
      const hl = cls.find((c) => c.startsWith("pd-hl-"));
      const pre = el.querySelector("pre");
      if (pre && DATA.snippets[id]) {
        found.push({ pre, snippet: DATA.snippets[id], original: pre.innerHTML,
                     hl: new Set(hl ? hl.slice(6).split("-").map(Number) : []) });
      }
    }
    return found;
  }

  function showText(block, text) {
    const lines = text.replace(/\n$/, "").split("\n");
    block.pre.innerHTML = "<span></span>" + lines.map((line, i) => {
      const html = escapeHtml(line) + "\n";
      return block.hl.has(i + 1) ? `<span class="hll">${html}</span>` : html;
    }).join("");
  }

  function start() {
    const form = document.getElementById("proxydocs-form");
    if (!form) return;
    const inputs = [...form.querySelectorAll("input[name]")];
    const defaults = Object.fromEntries(inputs.map((i) => [i.name, DATA.texts[i.name]]));
    const found = blocks();
    const values = [...document.querySelectorAll("code[class*='pd-value-']")].map((el) => ({
      el, name: [...el.classList].find((c) => c.startsWith("pd-value-")).slice(9), original: el.innerHTML }));
    const share = form.querySelector(".proxydocs-share");
    const status = form.querySelector(".proxydocs-status");

    function changedTexts() {
      return Object.fromEntries(inputs.filter((i) => i.value !== defaults[i.name]).map((i) => [i.name, i.value]));
    }

    function apply() {
      const texts = changedTexts();
      const result = parseAll(Object.fromEntries(inputs.map((i) => [i.name, i.value])));
      for (const input of inputs) {
        const message = form.querySelector(`.proxydocs-error[data-for="${input.name}"]`);
        const error = result.errors && result.errors[input.name];
        input.setAttribute("aria-invalid", error ? "true" : "false");
        if (message) message.textContent = error ? `${input.name}: ${error}` : "";
      }
      if (result.errors) {
        status.textContent = "有错误的值未应用，代码片段保持上一次有效的设置。";
        status.dataset.state = "error";
        return;
      }
      status.dataset.state = "ok";
      const personal = Object.keys(texts).length > 0;
      const rendered = renderAll(result.values);
      for (const block of found) {
        if (personal) showText(block, rendered[block.snippet.output]);
        else block.pre.innerHTML = block.original;
      }
      const subs = substitutions(rendered[DATA.substitutions]);
      for (const v of values) {
        if (personal && v.name in subs) v.el.textContent = subs[v.name];
        else v.el.innerHTML = v.original;
      }
      const query = new URLSearchParams(texts).toString();
      const url = location.pathname + (query ? "?" + query : "") + location.hash;
      share.href = url;
      history.replaceState(null, "", url);
      try {
        if (personal) localStorage.setItem(STORAGE, JSON.stringify(texts));
        else localStorage.removeItem(STORAGE);
      } catch (e) { /* private mode: nothing to keep */ }
      status.textContent = personal ? `已按你的设置改写本页 ${found.length} 个代码片段。` : "显示的是默认设置。";
      document.documentElement.dataset.proxydocs = personal ? "personal" : "default";
    }

    // query string first, then what this browser kept, then the site's settings
    let kept = {};
    try { kept = JSON.parse(localStorage.getItem(STORAGE) || "{}"); } catch (e) { kept = {}; }
    const query = Object.fromEntries(new URLSearchParams(location.search));
    const initial = Object.keys(query).some((k) => k in defaults) ? query : kept;
    for (const input of inputs) {
      input.value = typeof initial[input.name] === "string" ? initial[input.name] : defaults[input.name];
      input.addEventListener("input", apply);
    }
    form.addEventListener("submit", (e) => e.preventDefault());
    form.querySelector(".proxydocs-reset").addEventListener("click", () => {
      for (const input of inputs) input.value = defaults[input.name];
      apply();
    });
    form.hidden = false;
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

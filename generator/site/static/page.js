/* proxydocs in the browser, 4 of 4: the page. Fills the form, re-renders every tagged block
 * and prose value with the core (core.js) when the reader types, keeps, shares and resets.
 */
(function () {
  "use strict";
  const DATA = window.PROXYDOCS_DATA;
  if (!DATA || !window.proxydocsCore) return;
  const core = window.proxydocsCore.make(DATA);
  const { parseAll, renderAll, substitutions } = core;
  window.proxydocs = Object.assign({ Refusal: window.proxydocsCore.Refusal }, core);

  const translate = (message) => window.proxydocsCore.translate(DATA.messages_zh || [], message);

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
        // a folded block's download link (proxydocs-fold) hands out the personalised file too
        const fold = el.closest("details.proxydocs-fold");
        const before = fold && fold.previousElementSibling;
        const download = before && before.querySelector("a.download");
        // a blob: URL has no file name of its own: the link keeps the file's
        if (download) download.setAttribute("download", DATA.snippets[id].output.split("/").pop());
        // shown: the text this block shows, or null while it shows the page's own highlighted
        // block (kept aside as nodes, not copied, until the reader's settings are reset)
        found.push({ pre, snippet: DATA.snippets[id], shown: null, original: null, download,
                     href: download && download.getAttribute("href"),
                     hl: new Set(hl ? hl.slice(6).split("-").map(Number) : []) });
      }
    }
    return found;
  }

  // Only a block whose text changes is touched: a keystroke re-renders what it changes, and a
  // page without settings of the reader's keeps the blocks Sphinx wrote (no second parse of them).
  function showText(block, text) {
    if (block.shown === text) return false;
    if (block.shown === null) block.original = [...block.pre.childNodes];
    block.shown = text;
    const lines = text.replace(/\n$/, "").split("\n");
    block.pre.innerHTML = "<span></span>" + lines.map((line, i) => {
      const html = escapeHtml(line) + "\n";
      return block.hl.has(i + 1) ? `<span class="hll">${html}</span>` : html;
    }).join("");
    return true;
  }

  function showOriginal(block) {
    if (block.shown === null) return false;
    block.pre.replaceChildren(...block.original);
    block.shown = block.original = null;
    return true;
  }

  function start() {
    const form = document.getElementById("proxydocs-form");
    if (!form) return;
    const inputs = [...form.querySelectorAll("input[name], select[name]")];
    const defaults = Object.fromEntries(inputs.map((i) => [i.name, DATA.texts[i.name]]));
    const isField = (k) => Object.hasOwn(defaults, k);  // not `in`: ?constructor= is no setting
    const found = blocks();
    const values = [...document.querySelectorAll("code[class*='pd-value-']")].map((el) => ({
      el, name: [...el.classList].find((c) => c.startsWith("pd-value-")).slice(9), shown: null, original: null }));
    const share = form.querySelector(".proxydocs-share");
    const status = form.querySelector(".proxydocs-status");
    const link = form.querySelector(".proxydocs-link");
    const storedProblem = form.querySelector(".proxydocs-stored-problem");

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
        if (message) message.textContent = error ? `${input.name}: ${translate(error)}` : "";
      }
      link.hidden = !fromLink;  // a link's values, even refused ones: the way back to the reader's own stays
      if (result.errors) {
        status.textContent = "有错误的值未应用，代码片段保持上一次有效的设置。";
        status.dataset.state = "error";
        return;
      }
      status.dataset.state = "ok";
      const personal = Object.keys(texts).length > 0;
      const rendered = renderAll(result.values);
      for (const block of found) {
        const changed = personal ? showText(block, rendered[block.snippet.output]) : showOriginal(block);
        if (changed && block.download) {
          if (block.download.href.startsWith("blob:")) URL.revokeObjectURL(block.download.href);
          block.download.href = personal ? URL.createObjectURL(new Blob([rendered[block.snippet.output]],
            { type: "application/octet-stream" })) : block.href;
        }
      }
      const subs = substitutions(rendered[DATA.substitutions]);
      for (const v of values) {
        const text = personal && v.name in subs ? subs[v.name] : null;
        if (text === v.shown) continue;
        if (v.shown === null) v.original = [...v.el.childNodes];
        if (text === null) v.el.replaceChildren(...v.original);
        else v.el.textContent = text;
        v.shown = text;
      }
      const query = new URLSearchParams(texts).toString();
      const url = location.pathname + (query ? "?" + query : "") + location.hash;
      share.href = url;
      history.replaceState(null, "", url);
      if (!fromLink) keep(personal ? texts : null);  // a link's values stay in this view until kept
      status.textContent = personal ? `已按你的设置改写本页 ${found.length} 个代码片段。` : "显示的是默认设置。";
      document.documentElement.dataset.proxydocs = personal ? "personal" : "default";
    }

    function keep(texts) {
      try {
        if (texts) localStorage.setItem(STORAGE, JSON.stringify(texts));
        else localStorage.removeItem(STORAGE);
      } catch (e) { /* private mode: nothing to keep */ }
    }

    function fill(texts) {
      for (const input of inputs) {
        const text = typeof texts[input.name] === "string" ? texts[input.name] : defaults[input.name];
        if (input.tagName === "SELECT") {
          // a value that is not a choice (from a link or an old version) stays visible, to be refused
          // with its own text as the CLI refuses it, instead of a blank drop-down
          for (const o of input.querySelectorAll("option[data-foreign]")) o.remove();
          if (![...input.options].some((o) => o.value === text)) {
            const o = document.createElement("option");
            o.value = text;
            o.textContent = window.proxydocsCore.printable(text);  // quoted: an empty or invisible value shows
            o.dataset.foreign = "";
            input.append(o);
          }
        }
        input.value = text;
      }
    }

    // what this browser kept: only an object of strings for the form's keys; anything else
    // (a hand edit, another version's data) is ignored with a message, never trusted
    let stored = {};
    try {
      const raw = localStorage.getItem(STORAGE);
      if (raw !== null) {
        const data = JSON.parse(raw);
        const ok = data !== null && typeof data === "object" && !Array.isArray(data) &&
          Object.entries(data).every(([k, v]) => !isField(k) || typeof v === "string");
        if (ok) stored = Object.fromEntries(Object.entries(data).filter(([k]) => isField(k)));
        else storedProblem.hidden = false;
      }
    } catch (e) { storedProblem.hidden = false; }
    // a shared link's values apply to this view only, until the reader keeps them
    const params = [...new URLSearchParams(location.search)];
    const query = Object.fromEntries(params.filter(([k]) => isField(k)));
    // settings the form does not have (Sphinx's own ?highlight= is not a setting): say so
    const ignored = [...new Set(params.map(([k]) => k).filter((k) => /^[A-Za-z]\w*\.\w+$/.test(k) && !isField(k)))];
    if (ignored.length) {
      const notice = form.querySelector(".proxydocs-ignored");
      notice.textContent = `链接中的这些设置不在表单里，已忽略：${ignored.join("、")}。` +
        "要改它们，请用 proxydocs render --set KEY=VALUE。";
      notice.hidden = false;
    }
    let fromLink = Object.keys(query).length > 0;
    fill(fromLink ? query : stored);
    for (const input of inputs) {
      input.addEventListener("input", () => {
        // a topology switch brings its partner along (tunnel.forward <-> proxy.scheme)
        const texts = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
        for (const [name, text] of Object.entries(core.companionTexts(texts, input.name))) {
          const other = inputs.find((i) => i.name === name);
          if (other) other.value = text;
        }
        apply();
      });
    }
    form.addEventListener("submit", (e) => e.preventDefault());
    form.querySelector(".proxydocs-reset").addEventListener("click", () => {
      fromLink = false;
      fill({});
      apply();
    });
    form.querySelector(".proxydocs-keep").addEventListener("click", () => {
      fromLink = false;
      apply();
    });
    form.querySelector(".proxydocs-mine").addEventListener("click", () => {
      fromLink = false;
      fill(stored);
      apply();
    });
    form.hidden = false;
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* proxydocs in the browser: personalise every generated snippet on the page.
 *
 * The templates are compiled from snippets/*.j2 by generator/site/jscompile.py into
 * proxydocs-data.js; this file is the runtime they call (Python's semantics for str(),
 * slicing, equality and sorting), a port of generator/model/types.py (the same rules and the
 * same messages as `proxydocs render --set`), of generator/model/derive.py and of
 * generator/render/formats.py. tests/browser proves the results equal Python's, byte for byte.
 * No build step and no dependencies: plain ES2020, loaded as is.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- Python's repr() and str
  const PY_SPACE = "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003" +
    "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

  function pyStrip(s) {
    let a = 0, b = s.length;
    while (a < b && PY_SPACE.includes(s[a])) a++;
    while (b > a && PY_SPACE.includes(s[b - 1])) b--;
    return s.slice(a, b);
  }

  function codepoints(s) { return Array.from(s); }

  function pyRepr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of codepoints(s)) {
      const cp = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
      else if (cp < 0x7f) out += ch;
      else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
        if (cp <= 0xff) out += "\\x" + cp.toString(16).padStart(2, "0");
        else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
        else out += "\\U" + cp.toString(16).padStart(8, "0");
      } else out += ch;
    }
    return out + quote;
  }

  function printable(value) {  // types._printable
    const cps = codepoints(value);
    return cps.length <= 60 ? pyRepr(value) : pyRepr(cps.slice(0, 57).join("") + "...");
  }

  function isAscii(s) { return /^[\x00-\x7f]*$/.test(s); }
  function isDigits(s) { return /^[0-9]+$/.test(s); }
  function fullmatch(regex, s) { return new RegExp("^(?:" + regex + ")$", "u").test(s); }

  class Refusal extends Error {}
  const refuse = (msg) => { throw new Refusal(msg); };

  // ---------------------------------------------------------------- ipaddress, as Python 3.11
  function parseIPv4(s) {
    const parts = s.split(".");
    if (parts.length !== 4) return null;
    let n = 0n;
    for (const p of parts) {
      if (!p || !isDigits(p) || p.length > 3 || (p !== "0" && p[0] === "0")) return null;
      const v = Number(p);
      if (v > 255) return null;
      n = (n << 8n) | BigInt(v);
    }
    return n;
  }

  function parseIPv6(s) {
    if (!s) return null;
    let parts = s.split(":");
    if (parts.length < 3) return null;
    if (parts[parts.length - 1].includes(".")) {
      const v4 = parseIPv4(parts.pop());
      if (v4 === null) return null;
      parts.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    if (parts.length > 9) return null;
    let skip = null;
    for (let i = 1; i < parts.length - 1; i++) {
      if (!parts[i]) { if (skip !== null) return null; skip = i; }
    }
    let hi, lo, skipped;
    if (skip !== null) {
      hi = skip; lo = parts.length - skip - 1;
      if (!parts[0]) { hi -= 1; if (hi) return null; }
      if (!parts[parts.length - 1]) { lo -= 1; if (lo) return null; }
      skipped = 8 - (hi + lo);
      if (skipped < 1) return null;
    } else {
      if (parts.length !== 8 || !parts[0] || !parts[parts.length - 1]) return null;
      hi = parts.length; lo = 0; skipped = 0;
    }
    const hextet = (h) => (/^[0-9a-fA-F]{1,4}$/.test(h) ? BigInt(parseInt(h, 16)) : null);
    let n = 0n;
    for (let i = 0; i < hi; i++) { const h = hextet(parts[i]); if (h === null) return null; n = (n << 16n) | h; }
    n <<= 16n * BigInt(skipped);
    for (let i = parts.length - lo; i < parts.length; i++) {
      const h = hextet(parts[i]); if (h === null) return null; n = (n << 16n) | h;
    }
    return n;
  }

  function v4String(n) { return [24n, 16n, 8n, 0n].map((sh) => String((n >> sh) & 0xffn)).join("."); }

  function v6String(n) {
    let hextets = [];
    for (let i = 7; i >= 0; i--) hextets.push(((n >> BigInt(16 * i)) & 0xffffn).toString(16));
    let bestStart = -1, bestLen = 0, start = -1, len = 0;
    hextets.forEach((h, i) => {
      if (h === "0") {
        len += 1; if (start === -1) start = i;
        if (len > bestLen) { bestLen = len; bestStart = start; }
      } else { len = 0; start = -1; }
    });
    if (bestLen > 1) {
      const end = bestStart + bestLen;
      if (end === hextets.length) hextets.push("");
      hextets.splice(bestStart, bestLen, "");
      if (bestStart === 0) hextets = [""].concat(hextets);
    }
    return hextets.join(":");
  }

  // {version, int, text} or null: types.parse_ip
  function parseIp(value) {
    const text = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
    if (text.includes("%")) return null;
    const v4 = parseIPv4(text);
    if (v4 !== null) return { version: 4, int: v4, text: v4String(v4) };
    if (text.includes("/")) return null;
    const v6 = parseIPv6(text);
    if (v6 !== null) return { version: 6, int: v6, text: v6String(v6) };
    return null;
  }

  function prefixFromInt(n, bits) {
    let zeros = 0;
    while (zeros < bits && ((n >> BigInt(zeros)) & 1n) === 0n) zeros++;
    const prefix = bits - zeros;
    const ones = (1n << BigInt(prefix)) - 1n;
    return (n >> BigInt(zeros)) === ones ? prefix : null;
  }

  // ipaddress.ip_network(text, strict=False), as a string, or null
  function ipNetwork(text) {
    const parts = text.split("/");
    if (parts.length > 2) return null;
    for (const [version, bits] of [[4, 32], [6, 128]]) {
      const addr = version === 4 ? parseIPv4(parts[0]) : (parts[0].includes("%") ? null : parseIPv6(parts[0]));
      if (addr === null) continue;
      let prefix = bits;
      if (parts.length === 2) {
        const m = parts[1];
        if (isDigits(m)) prefix = Number(m) <= bits ? Number(m) : null;
        else if (version === 4) {
          const mask = parseIPv4(m);
          prefix = mask === null ? null : prefixFromInt(mask, 32);
          if (mask !== null && prefix === null) prefix = prefixFromInt(mask ^ 0xffffffffn, 32);
        } else prefix = null;
      }
      if (prefix === null) continue;
      const all = (1n << BigInt(bits)) - 1n;
      const netmask = (all << BigInt(bits - prefix)) & all;
      const net = addr & netmask;
      return (version === 4 ? v4String(net) : v6String(net)) + "/" + prefix;
    }
    return null;
  }

  // ---------------------------------------------------------------- types.py
  const PLACEHOLDER = "<[A-Z][A-Z0-9_]{0,62}>";
  const LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

  function checkHostname(value) {
    if (!value) refuse("must not be empty");
    const n = codepoints(value).length;
    if (n > 253) refuse(`host name is ${n} characters long; the limit is 253`);
    if (!isAscii(value)) refuse(`${printable(value)} contains non-ASCII characters; write the host name in ASCII (punycode)`);
    const labels = (value.endsWith(".") ? value.slice(0, -1) : value).split(".");
    for (const label of labels) {
      if (!fullmatch(LABEL, label)) {
        refuse(`${printable(value)} is not a valid host name (RFC 1123: labels of letters, digits and inner hyphens, 1 to 63 characters, separated by dots)`);
      }
    }
    if (isDigits(labels[labels.length - 1])) refuse(`${printable(value)} looks like an IP address but is not a valid one`);
    return value;
  }

  function parseHost(t, value) {
    if (t.allow_placeholder && fullmatch(PLACEHOLDER, value)) return value;
    const ip = parseIp(value);
    if (ip) return ip.text;
    if (t.ip_only) refuse(`${printable(value)} is not an IP address`);
    if (value.startsWith("<") && !t.allow_placeholder) refuse("a placeholder is not allowed here; give a real address");
    if (value.startsWith("<")) refuse(`${printable(value)} is not a placeholder: write <UPPER_CASE> (letters, digits, _)`);
    return checkHostname(value);
  }

  function noProxyEntry(entry) {
    if (entry === "") refuse("has an empty entry (a doubled or trailing comma)");
    if (entry === "*") return entry;
    if (entry.includes("/")) {
      const net = ipNetwork(entry);
      if (net === null) refuse(`${printable(entry)} is not a valid CIDR range`);
      return net;
    }
    const ip = parseIp(entry);
    if (ip) return ip.text;
    const body = entry.startsWith("*.") ? entry.slice(2) : entry.startsWith(".") ? entry.slice(1) : entry;
    try { checkHostname(body); } catch (e) {
      if (e instanceof Refusal) refuse(`entry ${printable(entry)}: ${e.message}`);
      throw e;
    }
    return entry;
  }

  // parse_text of each field type: the value, or a Refusal carrying the CLI's reason
  function parseText(t, text) {
    switch (t.kind) {
      case "optional":
        return text === "" ? "" : parseText(t.inner, text);
      case "integer": {
        if (!/^[0-9]{1,10}$/.test(pyStrip(text))) refuse(`must be an integer, got ${printable(text)}`);
        const v = Number(pyStrip(text));
        if (v < t.low || v > t.high) refuse(`must be between ${t.low} and ${t.high}, got ${v}`);
        return v;
      }
      case "choice":
        if (!t.choices.includes(text)) refuse(`must be one of ${t.choices.join(", ")}; got ${printable(text)}`);
        return text;
      case "pattern": {
        if (!text) refuse("must not be empty");
        const n = codepoints(text).length;
        if (n > t.max_length) refuse(`is ${n} characters long; the limit is ${t.max_length}`);
        if (!fullmatch(t.regex, text)) refuse(`${printable(text)} is not ${t.what}`);
        return text;
      }
      case "host":
        return parseHost(t, text);
      case "no_proxy": {
        const out = [];
        for (const entry of text === "" ? [] : text.split(",")) {
          if (entry !== pyStrip(entry) || entry.includes(",")) {
            refuse(`entry ${printable(entry)} contains spaces or commas; give one entry per item`);
          }
          out.push(noProxyEntry(entry));
        }
        if (!out.length) {
          refuse("must list at least one entry (an empty NO_PROXY sends even localhost through the proxy); " +
                 "localhost and 127.0.0.1 are the usual minimum");
        }
        const dup = out.find((e, i) => out.indexOf(e) !== i);
        if (dup !== undefined) refuse(`entry ${printable(dup)} is listed twice`);
        return out;
      }
      case "addresses": {
        const out = (text === "" ? [] : text.split(",")).map((v) => parseHost({ ip_only: true }, v));
        if (new Set(out).size !== out.length) refuse("lists an address twice");
        return out;
      }
    }
    throw new Error("unknown field type " + t.kind);
  }

  // ---------------------------------------------------------------- derive.py
  function isLoopback(host) {
    if (host.toLowerCase() === "localhost") return true;
    const ip = parseIp(host);
    if (!ip) return false;
    return ip.version === 4 ? (ip.int >> 24n) === 127n : ip.int === 1n;
  }

  function urlHost(host) {
    const ip = parseIp(host);
    return ip && ip.version === 6 ? `[${ip.text}]` : host;
  }

  const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY"];

  function derive(v) {
    const scheme = v["proxy.scheme"], listen = v["proxy.listen"], port = v["proxy.port"];
    const vmHost = isLoopback(listen) ? v["vm.host_address"] : listen;
    const containerHost = v["tunnel.also_bind"].includes(v["vm.bridge_address"]) ? v["vm.bridge_address"] : vmHost;
    const url = (host) => `${scheme}://${urlHost(host)}:${port}`;
    const forwards = [listen, ...v["tunnel.also_bind"]].map((bind) => ({
      ssh: `${urlHost(bind)}:${port} ${urlHost(v["tunnel.remote_host"])}:${v["tunnel.remote_port"]}`,
    }));
    const profile = v["colima.profile"];
    const start = ["colima start", ...(profile !== "default" ? [`--profile ${profile}`] : []),
      `--runtime ${v["colima.runtime"]} --cpu ${v["colima.cpus"]} --memory ${v["colima.memory"]}`,
      `--vm-type=${v["colima.vm_type"]}`].join(" ");
    const d = {
      mac_host: listen, vm_host: vmHost, container_host: containerHost,
      mac_url: url(listen), vm_url: url(vmHost), container_url: url(containerHost),
      no_proxy: v["proxy.no_proxy"].join(","), forwards,
      colima_config: `$HOME/.colima/${profile}/colima.yaml`, colima_start: start,
    };
    d.url = function (view) {
      return { mac: d.mac_url, vm: d.vm_url, container: d.container_url }[view];
    };
    d.env = function (view, kase = "both") {
      const upper = PROXY_VARS.map((n) => [n, d.url(view)]).concat([["NO_PROXY", d.no_proxy]]);
      const lower = upper.map(([n, val]) => [n.toLowerCase(), val]);
      return { upper, lower, both: upper.concat(lower) }[kase];
    };
    return d;
  }

  // ---------------------------------------------------------------- formats.py
  const jsonDumps = (s) => JSON.stringify(s);
  const YAML_PLAIN = "[A-Za-z0-9_./-][A-Za-z0-9_.,/:*@\\[\\]%+=~-]*";
  const YAML_WORDS = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"];
  const SYSTEMD_NEED_QUOTES = " \t\n\"\\`$*?['()<>|&;!";
  const SYSTEMD_NEED_ESCAPE = "\"\\`$";

  function systemdShowWord(word) {
    if (![...word].some((c) => SYSTEMD_NEED_QUOTES.includes(c))) return word;
    return '"' + [...word].map((c) => (SYSTEMD_NEED_ESCAPE.includes(c) ? "\\" + c : c)).join("") + '"';
  }

  const FILTERS = {
    sh: (v) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(v) ? v : "'" + v.split("'").join("'\"'\"'") + "'"),
    sh_dq: (v) => '"' + v.replace(/([$`"\\])/g, "\\$1") + '"',
    json: jsonDumps,
    yaml: (v) => {
      if (fullmatch(YAML_PLAIN, v) && !v.includes(": ") && !v.includes(" #") &&
          !YAML_WORDS.includes(v.toLowerCase()) && !/^[-+0-9.:_]+$/.test(v)) return v;
      return jsonDumps(v).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    },
    systemd: (v) => v.split("%").join("%%").split("\\").join("\\\\").split('"').join('\\"'),
    systemctl_show: (pairs) => pairs.map(([n, v]) => systemdShowWord(`${n}=${v}`)).join(" "),
    url_host: urlHost,
    sort: (seq) => R.iter(seq).slice().sort(compare),
  };

  function compare(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = compare(a[i], b[i]);
        if (c) return c;
      }
      return a.length - b.length;
    }
    if (typeof a === "string" && typeof b === "string") {  // code point order, as Python
      const x = codepoints(a), y = codepoints(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const d = x[i].codePointAt(0) - y[i].codePointAt(0);
        if (d) return d;
      }
      return x.length - y.length;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // ---------------------------------------------------------------- the templates' runtime
  class UndefinedError extends Error {}

  const R = {
    str(v) {
      if (typeof v === "string") return v;
      if (typeof v === "number") return String(v);
      if (typeof v === "boolean") return v ? "True" : "False";
      if (v === null || v === undefined) return "None";
      throw new UndefinedError("cannot print " + typeof v);
    },
    truthy(v) {
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Map) return v.size > 0;
      return Boolean(v);
    },
    lookup(c, name) {
      if (!(name in c)) throw new UndefinedError(`'${name}' is undefined`);
      return c[name];
    },
    getattr(obj, name) {
      if (obj !== null && typeof obj === "object" && name in obj) return obj[name];
      throw new UndefinedError(`no attribute '${name}'`);
    },
    getitem(obj, key) {
      if (obj instanceof Map) {
        if (!obj.has(key)) throw new UndefinedError(`no key ${key}`);
        return obj.get(key);
      }
      if (Array.isArray(obj) || typeof obj === "string") {
        const items = typeof obj === "string" ? codepoints(obj) : obj;
        const i = key < 0 ? items.length + key : key;
        if (i < 0 || i >= items.length) throw new UndefinedError("index out of range");
        return items[i];
      }
      return R.getattr(obj, key);
    },
    slice(obj, start, stop) {
      const items = typeof obj === "string" ? codepoints(obj) : obj;
      const n = items.length;
      const norm = (i, dflt) => (i === null ? dflt : i < 0 ? Math.max(0, n + i) : Math.min(i, n));
      const out = items.slice(norm(start, 0), norm(stop, n));
      return typeof obj === "string" ? out.join("") : out;
    },
    method(obj, name, args) {
      if (typeof obj === "string" && name === "split") {
        const [sep, max] = args;
        const parts = obj.split(sep);
        if (max === undefined || max < 0 || parts.length <= max + 1) return parts;
        return parts.slice(0, max).concat([parts.slice(max).join(sep)]);
      }
      const fn = R.getattr(obj, name);
      return fn.apply(obj, args);
    },
    dict(pairs) { return new Map(pairs.map(([k, v]) => [k, v])); },
    iter(v) {
      if (Array.isArray(v)) return v;
      if (v instanceof Map) return Array.from(v.keys());
      if (typeof v === "string") return codepoints(v);
      throw new UndefinedError("not iterable");
    },
    unpack(item, n) {
      if (!Array.isArray(item) || item.length !== n) throw new UndefinedError("cannot unpack");
      return item;
    },
    loop(i, length) {
      return { index0: i, index: i + 1, first: i === 0, last: i === length - 1, length,
               revindex: length - i, revindex0: length - i - 1 };
    },
    eq(a, b) { return compare(a, b) === 0 && typeof a === typeof b; },
    contains(seq, item) { return typeof seq === "string" ? seq.includes(item) : R.iter(seq).some((x) => R.eq(x, item)); },
    and(a, b) { return R.truthy(a) ? b() : a; },
    or(a, b) { return R.truthy(a) ? a : b(); },
    filter(name, value, ...args) {
      if (!(name in FILTERS)) throw new UndefinedError(`no filter '${name}'`);
      return FILTERS[name](value, ...args);
    },
  };

  // ---------------------------------------------------------------- rendering settings
  const DATA = window.PROXYDOCS_DATA;
  if (!DATA) return;
  const T = {};
  for (const [name, make] of Object.entries(DATA.templates)) T[name] = make(R, T);

  function sections(values) {
    const s = {};
    for (const [path, v] of Object.entries(values)) {
      const [section, key] = path.split(".");
      (s[section] = s[section] || {})[key] = v;
    }
    return s;
  }

  // {path: text} (--set strings) over the site's settings -> {values} or {errors: {path: reason}}
  function parseAll(texts) {
    const values = Object.assign({}, DATA.values), errors = {};
    for (const [path, text] of Object.entries(texts)) {
      const field = DATA.fields[path];
      if (!field) { errors[path] = "unknown key"; continue; }
      try { values[path] = parseText(field.type, text); } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        errors[path] = e.message;
      }
    }
    return Object.keys(errors).length ? { errors } : { values };
  }

  function renderOne(values, snippet) {
    const c = Object.assign({ s: sections(values), d: derive(values) }, snippet.vars);
    return T[snippet.template](c);
  }

  // {output: text} for every generated snippet
  function renderAll(values) {
    const out = {};
    for (const snippet of Object.values(DATA.snippets)) out[snippet.output] = renderOne(values, snippet);
    return out;
  }

  function substitutions(text) {
    const out = {};
    for (const m of text.matchAll(/^\.\. \|(\w+)\| replace:: ``(.*)``$/gm)) out[m[1]] = m[2];
    return out;
  }

  window.proxydocs = { parseText: (path, text) => parseText(DATA.fields[path].type, text), parseAll, renderAll,
                       Refusal, substitutions };

  // ---------------------------------------------------------------- the page
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

/* proxydocs in the browser, 2 of 3: the core, a port of the Python that renders a snippet.
 *
 * generator/model/types.py (the same rules and the same messages as `proxydocs render --set`),
 * generator/model/derive.py and generator/render/formats.py; the templates themselves are
 * compiled from snippets/*.j2 by generator/site/jscompile.py into proxydocs-data.js. No DOM:
 * tests/browser runs the parity tests against this file on a blank page. Needs pyport.js.
 * Exposes window.proxydocsCore = {Refusal, parseType, derive, FILTERS, make(data)}.
 */
(function () {
  "use strict";
  const py = window.proxydocsPy;
  const { codepoints, printable, isAscii, isDigits, fullmatch, parseIp, ipNetwork, pyStrip } = py;

  class Refusal extends Error {}
  const refuse = (msg) => { throw new Refusal(msg); };

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

  const ENTRY_CHARS = /^[A-Za-z0-9.:/*[\]-]$/;

  function noProxyEntry(entry) {
    if (entry === "") refuse("has an empty entry (a doubled or trailing comma)");
    const bad = codepoints(entry).find((c) => !ENTRY_CHARS.test(c));
    if (bad !== undefined) {
      refuse(`entry ${printable(entry)} contains ${py.pyAscii(bad)}; an entry is a host name, .domain, *.domain, ` +
             "an IP address, a CIDR range or *");
    }
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

  // types.split_list: spaces and tabs around commas are not part of an entry
  const stripBlanks = (s) => s.replace(/^[ \t]+|[ \t]+$/g, "");
  function splitList(text) {
    return stripBlanks(text) === "" ? [] : text.split(",").map(stripBlanks);
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
        for (const entry of splitList(text)) {
          if (entry !== pyStrip(entry) || entry.includes(",")) {
            refuse(`entry ${printable(entry)} contains spaces or commas; give one entry per item`);
          }
          out.push(noProxyEntry(entry));
        }
        if (!out.length) {
          refuse("must list at least one entry (an empty NO_PROXY sends even localhost through the proxy); " +
                 "localhost and 127.0.0.1 are the usual minimum");
        }
        const dup = out.find((e) => out.indexOf(e) !== out.lastIndexOf(e));
        if (dup !== undefined) refuse(`entry ${printable(dup)} is listed twice`);
        return out;
      }
      case "addresses": {
        const out = splitList(text).map((v) => parseHost({ ip_only: true }, v));
        if (new Set(out).size !== out.length) refuse("lists an address twice");
        return out;
      }
    }
    throw new Error("unknown field type " + t.kind);
  }

  // ---------------------------------------------------------------- derive.py
  function isLoopback(host) {  // model/addresses.is_loopback (Go's, as Lima uses it)
    if (host.toLowerCase() === "localhost") return true;
    const ip = parseIp(host);
    if (!ip) return false;
    if (ip.version === 4) return (ip.int >> 24n) === 127n;
    return ip.int === 1n || ((ip.int >> 32n) === 0xffffn && ((ip.int >> 24n) & 0xffn) === 127n);
  }

  function urlHost(host) {
    const ip = parseIp(host);
    return ip && ip.version === 6 ? `[${ip.text}]` : host;
  }

  const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY"];

  const VM_HOST_NAMES = ["host.lima.internal", "host.docker.internal"];

  function noProxyList(entries, vmHostAddress) {  // derive.no_proxy_list
    const out = entries.slice();
    for (const extra of [...VM_HOST_NAMES, vmHostAddress]) if (!out.includes(extra)) out.push(extra);
    return out.join(",");
  }

  function colimaFolder(profile) {  // derive.colima_folder
    if (["", "colima", "default"].includes(profile)) return "default";
    return profile.startsWith("colima-") ? profile.slice("colima-".length) : profile;
  }

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
      no_proxy: noProxyList(v["proxy.no_proxy"], v["vm.host_address"]), forwards,
      colima_folder: colimaFolder(profile),
      colima_config: `<配置目录>/${colimaFolder(profile)}/colima.yaml`, colima_start: start,
      launchd_label: `local.proxydocs.tunnel.${v["tunnel.alias"]}`,
      auth: "",  // credentials never reach the page
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
  const YAML_PLAIN = "[A-Za-z_/][A-Za-z0-9_./:,*@%+=~-]*";
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
      if (fullmatch(YAML_PLAIN, v) && !v.endsWith(":") && !YAML_WORDS.includes(v.toLowerCase())) return v;
      return '"' + codepoints(v).map((c) => {  // formats._yaml_char
        const cp = c.codePointAt(0);
        if (c === '"' || c === "\\") return "\\" + c;
        if (cp >= 0x20 && cp < 0x7f) return c;
        if (cp <= 0xff) return "\\x" + cp.toString(16).padStart(2, "0");
        return cp <= 0xffff ? "\\u" + cp.toString(16).padStart(4, "0") : "\\U" + cp.toString(16).padStart(8, "0");
      }).join("") + '"';
    },
    systemd: (v) => v.split("%").join("%%").split("\\").join("\\\\").split('"').join('\\"'),
    systemctl_show: (pairs) => pairs.map(([n, v]) => systemdShowWord(`${n}=${v}`)).join(" "),
    url_host: urlHost,
    sort: (seq) => R.iter(seq).slice().sort(py.compare),
  };


  const R = py.runtime(FILTERS);  // the compiled templates' runtime (stateless)

  // ---------------------------------------------------------------- rendering settings
  function sections(values) {
    const s = {};
    for (const [path, v] of Object.entries(values)) {
      const [section, key] = path.split(".");
      (s[section] = s[section] || {})[key] = v;
    }
    return s;
  }

  // the prose values of the page: _generated/settings.txt's `.. |name| replace:: ``value```
  function substitutions(text) {
    const out = {};
    for (const m of text.matchAll(/^\.\. \|(\w+)\| replace:: ``(.*)``$/gm)) out[m[1]] = m[2];
    return out;
  }

  // DATA is the site's data file: fields (types), values, snippets and compiled templates
  function make(DATA) {
    const T = {};
    for (const [name, compiled] of Object.entries(DATA.templates)) T[name] = compiled(R, T);

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

    return { parseText: (path, text) => parseText(DATA.fields[path].type, text), parseAll, renderAll, substitutions };
  }

  // a refusal in Chinese for the form (rules: site/messages_zh.py); values and keys kept as they are
  function translate(rules, message) {
    for (const [pattern, template] of rules) {
      const m = new RegExp("^(?:" + pattern + ")$", "s").exec(message);
      if (m) return template.replace(/\{(\d)(\*?)\}/g, (_, i, again) => (again ? translate(rules, m[i]) : m[i]));
    }
    return message;
  }

  window.proxydocsCore = { Refusal, parseType: parseText, derive, FILTERS, R, make, translate };
})();

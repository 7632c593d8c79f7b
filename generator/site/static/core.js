/* proxydocs in the browser, 3 of 4: the core, a port of the Python that renders a snippet.
 *
 * generator/model/derive.py, generator/model/rules.py and generator/render/formats.py (the
 * types are in types.js); the templates themselves are compiled from snippets/*.j2 by
 * generator/site/jscompile.py into proxydocs-data.js. No DOM: tests/unit/test_jscore.py runs
 * the parity tests against this file on a blank page. Needs pyport.js and types.js.
 * Exposes window.proxydocsCore = {Refusal, parseType, derive, FILTERS, R, make(data), translate, printable}.
 */
(function () {
  "use strict";
  const py = window.proxydocsPy;
  const { codepoints, printable, fullmatch, parseIp } = py;
  const { Refusal, parseType: parseText } = window.proxydocsTypes;

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
    if (out.length === 1 && out[0] === "*") return "*";  // derive.no_proxy_list: a lone * stays alone
    for (const extra of [...VM_HOST_NAMES, vmHostAddress]) {  // names compare without case, as every program does
      if (!out.some((e) => e.toLowerCase() === extra.toLowerCase())) out.push(extra);
    }
    return out.join(",");
  }

  function colimaFolder(profile) {  // derive.colima_folder
    if (["", "colima", "default"].includes(profile)) return "default";
    return profile.startsWith("colima-") ? profile.slice("colima-".length) : profile;
  }

  // model/dialects.py: the NO_PROXY entry forms, and support_table
  function entryForm(entry, alone) {
    if (entry === "*") return alone ? "star" : "star-in-list";
    if (entry.startsWith("*.")) return "wildcard";
    if (entry.includes("/")) {
      const ip = parseIp(entry.slice(0, entry.indexOf("/")));
      return ip ? `ipv${ip.version}-cidr` : "other";
    }
    const ip = parseIp(entry);
    if (ip) return `ipv${ip.version}`;
    return entry.startsWith(".") ? "leading-dot" : "domain";
  }

  function noProxyTable(entries, dialects) {
    const width = Math.max(...entries.map((e) => e.length), "NO_PROXY".length) + 2;
    const columns = dialects.columns;  // [consumer, heading] pairs, in order
    const lines = ["NO_PROXY".padEnd(width) + columns.map(([, heading]) => heading).join("  ")];
    for (const entry of entries) {
      const form = entryForm(entry, entries.length === 1);
      const rules = form === "domain" ? ["host", "domain"] : [form];
      const cells = columns.map(([consumer, heading]) => {
        const ok = rules.map((r) => (dialects.forms.includes(r) ? dialects.honoured[consumer].includes(r) : null));
        return (ok.includes(null) ? "?" : ok.every((x) => x) ? "+" : "-").padEnd(heading.length);
      });
      lines.push((entry.padEnd(width) + cells.join("  ")).replace(/\s+$/, ""));
    }
    return lines.join("\n");
  }

  function derive(v, dialects) {
    const scheme = v["proxy.scheme"], listen = v["proxy.listen"], port = v["proxy.port"];
    const vmHost = isLoopback(listen) ? v["vm.host_address"] : listen;
    const containerHost = v["tunnel.also_bind"].includes(v["vm.bridge_address"]) ? v["vm.bridge_address"] : vmHost;
    const url = (host) => `${scheme}://${urlHost(host)}:${port}`;
    const dynamic = v["tunnel.forward"] === "dynamic";
    const forwards = [listen, ...v["tunnel.also_bind"]].map((bind) => {  // derive.Forward
      const listenAt = `${urlHost(bind)}:${port}`;
      const ssh = dynamic ? listenAt : `${listenAt} ${urlHost(v["tunnel.remote_host"])}:${v["tunnel.remote_port"]}`;
      const keyword = dynamic ? "DynamicForward" : "LocalForward";
      return { keyword, ssh, line: `${keyword} ${ssh}` };
    });
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
      no_proxy_table: dialects ? noProxyTable(noProxyList(v["proxy.no_proxy"], v["vm.host_address"]).split(","), dialects) : "",
      dynamic,
      bridge_listen: `${urlHost(listen)}:${v["tunnel.bridge_port"]}`,
      bridge_mac_url: `http://${urlHost(listen)}:${v["tunnel.bridge_port"]}`,
      bridge_vm_url: `http://${urlHost(vmHost)}:${v["tunnel.bridge_port"]}`,
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

  // model/rules.py: rules that involve more than one key, as data -> {key: reason}
  const isMapped = (value) => {
    const ip = parseIp(value);
    return Boolean(ip) && ip.version === 6 && (ip.int >> 32n) === 0xffffn;
  };
  const notUnicast = (value) => {  // rules._not_unicast
    const ip = parseIp(value);
    if (!ip || ip.int === 0n) return false;
    const n = ip.int;
    if (ip.version === 4) return (n >> 24n) === 0n || (n >> 24n) >= 224n || (n >> 16n) === 0xa9fen;
    return (n >> 120n) === 0xffn || (n >> 118n) === 0x3fan || ((n >> 32n) === 0n && n > 1n);
  };
  const TESTS = {  // rules._TESTS: (value, argument, all values)
    set: (value) => value !== "", empty: (value) => value === "",
    is: (value, arg) => value === arg, is_not: (value, arg) => value !== arg,
    not_loopback: (value) => !isLoopback(value),
    loopback_other: (value) => isLoopback(value) && value !== "127.0.0.1" && !isMapped(value),
    unspecified: (value) => { const ip = parseIp(value); return Boolean(ip) && ip.int === 0n; },
    mapped: (value) => isMapped(value),
    not_unicast: (value) => notUnicast(value),
    any_not_one_address: (value) => value.some((v) => notUnicast(v) || TESTS.unspecified(v)),
    ends_with_dot: (value) => value.endsWith("."),
    any_not_loopback: (value) => value.some((v) => !isLoopback(v)),
    any_mapped: (value) => value.some(isMapped),
    has_key: (value, arg, values) => value.includes(values[arg]),
    same_as_key: (value, arg, values) => value === values[arg],
  };
  const breaks = (rule, values) => rule.when.every(([key, test, arg]) => TESTS[test](values[key], arg, values));

  // rules.companions(values, changed, form=true): what the form changes with `changed`
  function companions(rules, values, changed) {
    const out = {};
    for (const rule of rules) {
      if (rule.form && breaks(rule, Object.assign({}, values, out))) {
        const now = Object.assign({}, values, out);
        Object.assign(out, rule.fix.find((fix) => !(changed in fix) && !breaks(rule, Object.assign({}, now, fix))) || {});
      }
    }
    return out;
  }

  function ruleProblems(rules, values) {
    const out = {};
    for (const rule of rules) {
      if (breaks(rule, values)) {
        let reason = rule.reason;
        for (const key of Object.keys(values)) {
          if (reason.includes(`{${key}}`)) reason = reason.split(`{${key}}`).join(printable(String(values[key])));
        }
        if (!(rule.key in out)) out[rule.key] = reason;
      }
    }
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
      if (!Object.keys(errors).length) Object.assign(errors, ruleProblems(DATA.rules, values));
      return Object.keys(errors).length ? { errors } : { values };
    }

    // {output: text} for every generated snippet; the context is made once, as render_all does
    function renderAll(values) {
      const base = { s: sections(values), d: derive(values, DATA.dialects) };
      const out = {};
      for (const snippet of Object.values(DATA.snippets)) {
        out[snippet.output] = T[snippet.template](Object.assign({}, base, snippet.vars));
      }
      return out;
    }

    // {path: text} to set with `changed`, for the rules the form settles itself ({} while a
    // value is refused: the reader sees that refusal first)
    function companionTexts(texts, changed) {
      const values = Object.assign({}, DATA.values);
      for (const [path, text] of Object.entries(texts)) {
        try { values[path] = parseText(DATA.fields[path].type, text); } catch (e) {
          if (!(e instanceof Refusal)) throw e;
          return {};
        }
      }
      return Object.fromEntries(Object.entries(companions(DATA.rules, values, changed)).map(([k, v]) => [k, String(v)]));
    }

    return { parseText: (path, text) => parseText(DATA.fields[path].type, text), parseAll, renderAll, substitutions,
             companionTexts };
  }

  // a refusal in Chinese for the form (rules: site/messages_zh.py); values and keys kept as they are
  function translate(rules, message) {
    for (const [pattern, template] of rules) {
      const m = new RegExp("^(?:" + pattern + ")$", "s").exec(message);
      if (m) return template.replace(/\{(\d)(\*?)\}/g, (_, i, again) => (again ? translate(rules, m[i]) : m[i]));
    }
    return message;
  }

  window.proxydocsCore = { Refusal, parseType: parseText, derive, FILTERS, R, make, translate, printable };
})();

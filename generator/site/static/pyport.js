/* proxydocs in the browser, 1 of 4: Python's semantics where the ported code needs them.
 *
 * ascii() and str.strip() (for the CLI's messages), the ipaddress module as Python 3.11 has it,
 * Python's ordering, and the runtime the compiled templates call (`R.*`: str(), truthiness,
 * slicing, equality, iteration, loop variables). No DOM. Plain ES2020, no build step; proven
 * against Python by tests/browser. Exposes window.proxydocsPy.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- Python's ascii() and str
  const PY_SPACE = "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003" +
    "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

  function pyStrip(s) {
    let a = 0, b = s.length;
    while (a < b && PY_SPACE.includes(s[a])) a++;
    while (b > a && PY_SPACE.includes(s[b - 1])) b--;
    return s.slice(a, b);
  }

  function codepoints(s) { return Array.from(s); }

  // Python's ascii(): repr() with every character outside printable ASCII escaped
  function pyAscii(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of codepoints(s)) {
      const cp = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (cp >= 0x20 && cp < 0x7f) out += ch;
      else if (cp <= 0xff) out += "\\x" + cp.toString(16).padStart(2, "0");
      else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
      else out += "\\U" + cp.toString(16).padStart(8, "0");
    }
    return out + quote;
  }

  function printable(value) {  // model/addresses.printable
    const cps = codepoints(value);
    return cps.length <= 60 ? pyAscii(value) : pyAscii(cps.slice(0, 57).join("") + "...");
  }

  function isAscii(s) { return /^[\x00-\x7f]*$/.test(s); }
  function isDigits(s) { return /^[0-9]+$/.test(s); }
  function fullmatch(regex, s) { return new RegExp("^(?:" + regex + ")$", "u").test(s); }

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
    if ((n >> 32n) === 0xffffn) return "::ffff:" + v4String(n & 0xffffffffn);  // model/addresses.format_ip
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
    if (text.includes("%") || !isAscii(text)) return null;
    const v4 = parseIPv4(text);
    if (v4 !== null) return { version: 4, int: v4, text: v4String(v4) };
    if (text.includes("/")) return null;
    const v6 = parseIPv6(text);
    if (v6 !== null) return { version: 6, int: v6, text: v6String(v6) };
    return null;
  }

  // model/addresses.check_no_proxy_entry's CIDR: ADDRESS/DIGITS, the network's text, or null
  function ipNetwork(text) {
    const slash = text.indexOf("/");
    const ip = parseIp(text.slice(0, slash));
    const digits = text.slice(slash + 1);
    if (!ip || !isDigits(digits) || digits.length > 3) return null;
    const bits = ip.version === 4 ? 32 : 128, prefix = Number(digits);
    if (prefix > bits) return null;
    const all = (1n << BigInt(bits)) - 1n;
    const net = ip.int & ((all << BigInt(bits - prefix)) & all);
    return (ip.version === 4 ? v4String(net) : v6String(net)) + "/" + prefix;
  }

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

  function runtime(filters) {
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
      if (!(name in filters)) throw new UndefinedError(`no filter '${name}'`);
      return filters[name](value, ...args);
    },
  };
  return R;
}


  window.proxydocsPy = { PY_SPACE, pyStrip, codepoints, pyAscii, printable, isAscii, isDigits, fullmatch,
                         parseIPv4, parseIPv6, v4String, v6String, parseIp, ipNetwork, compare,
                         UndefinedError, runtime };
})();

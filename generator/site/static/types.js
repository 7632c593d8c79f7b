/* proxydocs in the browser, 2 of 4: a port of generator/model/types.py and addresses.py, the
 * settings types: the same rules and the same messages as `proxydocs render --set`. No DOM.
 * Needs pyport.js. Exposes window.proxydocsTypes = {Refusal, parseType}.
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
    if (body.endsWith(".") && body.replace(/^\.+|\.+$/g, "") !== "") {
      refuse(`entry ${printable(entry)} ends with a dot: Go, urllib, requests, wget and apt then do not ` +
             "match the host name; write it without the dot");
    }
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
        const lower = out.map((e) => e.toLowerCase());  // names compare case-insensitively everywhere
        const dup = out.find((e, i) => lower.indexOf(lower[i]) !== lower.lastIndexOf(lower[i]));
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

  window.proxydocsTypes = { Refusal, parseType: parseText };
})();

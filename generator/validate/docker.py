"""docker client config.json and daemon.json: a JSON Schema written from the upstream
structs, and for the client the real docker CLI against a fake Engine API."""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from . import urls
from .core import Finding, Target, register, run
from .fake_engine import FakeEngine

# docker/cli cli/config/configfile/file.go: ProxyConfig, under "proxies": {host: ProxyConfig}
CLIENT_SCHEMA = {
    "type": "object",
    "properties": {
        "proxies": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {k: {"type": "string"} for k in ("httpProxy", "httpsProxy", "noProxy", "ftpProxy", "allProxy")},
                "additionalProperties": False,
            },
        }
    },
}
# moby daemon/config: "proxies": {"http-proxy", "https-proxy", "no-proxy"} (Engine >= 23.0)
DAEMON_SCHEMA = {
    "type": "object",
    "properties": {
        "proxies": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in ("http-proxy", "https-proxy", "no-proxy")},
            "additionalProperties": False,
        }
    },
    "required": ["proxies"],
}


def schema_findings(t: Target, schema: dict) -> tuple[dict | None, list[Finding]]:
    import jsonschema

    try:
        data = json.loads(t.text)
    except json.JSONDecodeError as exc:
        return None, [t.finding(exc.lineno, f"not JSON: {exc.msg}")]
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    return data, [t.finding(0, f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}") for e in errors]


def docker_create_env(config_text: str, extra_args: list[str] | None = None) -> tuple[list[str], str]:
    """What the real docker CLI puts into a container create request with this config.json."""
    config_dir = tempfile.mkdtemp(prefix="proxydocs-docker-")
    try:
        with open(os.path.join(config_dir, "config.json"), "w", encoding="utf-8") as fh:
            fh.write(config_text)
        with FakeEngine() as engine:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": config_dir, "DOCKER_HOST": engine.host}
            proc = run(["docker", "--config", config_dir, "create", *(extra_args or []), "busybox"], env=env, timeout=30)
            bodies = engine.create_bodies()
        return (bodies[0].get("Env") or [] if bodies else []), proc.stderr
    finally:
        shutil.rmtree(config_dir, ignore_errors=True)


@register("docker_config")
def check_client_config(t: Target) -> list[Finding]:
    data, findings = schema_findings(t, CLIENT_SCHEMA)
    if data is None:
        return findings
    for host, cfg in (data.get("proxies") or {}).items():
        for key, value in (cfg.items() if isinstance(cfg, dict) else ()):
            if not isinstance(value, str):
                continue  # the schema has reported it
            name = {"noProxy": "no_proxy"}.get(key, key.replace("Proxy", "_proxy"))
            findings += [t.finding(0, f"proxies.{host}.{key}: {p}") for p in urls.variable_problems(name, value)]
    env, stderr = docker_create_env(t.text)
    if "Error parsing config file" in stderr or "WARNING" in stderr:
        findings.append(t.finding(0, f"docker CLI: {stderr.strip()}"))
    want = t.expect.container_create_env
    if set(env) != want:
        findings.append(t.finding(0, f"docker create sends Env {sorted(env)}; the settings say {sorted(want)}"))
    return findings


@register("docker_daemon_json")
def check_daemon_json(t: Target) -> list[Finding]:
    data, findings = schema_findings(t, DAEMON_SCHEMA)
    if data is None:
        return findings
    proxies = data.get("proxies", {})
    want = t.expect.daemon_proxies
    for key, value in proxies.items():
        if not isinstance(value, str):
            continue
        findings += [t.finding(0, f"proxies.{key}: {p}") for p in urls.variable_problems(key.replace("-", "_"), value)]
    if proxies != want:
        findings.append(t.finding(0, f"proxies are {proxies}; the settings say {want}"))
    return findings

"""colima.yaml: a JSON Schema written from colima's configuration keys (facts file)."""

from __future__ import annotations

from . import urls
from .core import Finding, Target, register

_STR, _INT, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_OBJ = {"type": "object"}
COLIMA_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "cpu": _INT, "disk": _INT, "memory": {"type": "number"}, "arch": _STR,
        "runtime": {"enum": ["docker", "containerd", "incus", "none"]},
        "modelRunner": _STR, "hostname": _STR, "kubernetes": _OBJ, "autoActivate": _BOOL,
        "network": _OBJ, "forwardAgent": _BOOL, "docker": _OBJ,
        "vmType": {"enum": ["qemu", "vz", "krunkit"]}, "portForwarder": _STR, "rosetta": _BOOL,
        "binfmt": _BOOL, "nestedVirtualization": _BOOL, "mountType": _STR, "mountInotify": _BOOL,
        "cpuType": _STR, "provision": {"type": "array"}, "sshConfig": _BOOL, "sshPort": _INT,
        "mounts": {"type": "array"}, "diskImage": _STR, "diskImageMirror": _STR,
        "forceDiskImage": _BOOL, "rootDisk": _INT,
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@register("colima_yaml")
def check_colima_yaml(t: Target) -> list[Finding]:
    import jsonschema
    import yaml

    try:
        data = yaml.safe_load(t.text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [t.finding(mark.line + 1 if mark else 0, f"not YAML: {exc}")]
    if not isinstance(data, dict):
        return [t.finding(0, "is not a YAML mapping")]
    validator = jsonschema.Draft202012Validator(COLIMA_SCHEMA)
    findings = [t.finding(0, f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}") for e in validator.iter_errors(data)]
    env = data.get("env") or {}
    if isinstance(env, dict):
        for name, value in env.items():
            if isinstance(value, str):
                findings += [t.finding(0, f"env.{name}: {p}") for p in urls.variable_problems(name, value)]
        want = t.expect.colima_env
        got = {k: env.get(k) for k in want}
        if got != want:
            findings.append(t.finding(0, f"env is {got}; the settings say {want}"))
    return findings

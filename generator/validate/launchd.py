"""launchd property lists (a LaunchAgent that keeps the tunnel up): parsed by Python's
plistlib, which reads Apple's XML plist format, then checked against the keys launchd reads
and their types (launchd.plist(5), apple-oss-distributions/launchd man/launchd.plist.5)."""

from __future__ import annotations

import plistlib
from xml.parsers.expat import ExpatError

from .core import Finding, Target, register

_BOOL, _INT, _STR = bool, int, str
# the top-level keys of launchd.plist(5) with the type each takes; a key launchd does not know
# is ignored by it, so a misspelt KeepAlive would silently leave the tunnel down
KEYS: dict[str, type | tuple[type, ...]] = {
    "Label": _STR, "Disabled": _BOOL, "UserName": _STR, "GroupName": _STR, "inetdCompatibility": dict,
    "LimitLoadToHosts": list, "LimitLoadFromHosts": list, "LimitLoadToSessionType": (_STR, list),
    "Program": _STR, "ProgramArguments": list, "EnableGlobbing": _BOOL, "EnableTransactions": _BOOL,
    "OnDemand": _BOOL, "KeepAlive": (_BOOL, dict), "RunAtLoad": _BOOL, "RootDirectory": _STR,
    "WorkingDirectory": _STR, "EnvironmentVariables": dict, "Umask": _INT, "TimeOut": _INT,
    "ExitTimeOut": _INT, "ThrottleInterval": _INT, "InitGroups": _BOOL, "WatchPaths": list,
    "QueueDirectories": list, "StartOnMount": _BOOL, "StartInterval": _INT,
    "StartCalendarInterval": (dict, list), "StandardInPath": _STR, "StandardOutPath": _STR,
    "StandardErrorPath": _STR, "Debug": _BOOL, "WaitForDebugger": _BOOL, "SoftResourceLimits": dict,
    "HardResourceLimits": dict, "Nice": _INT, "ProcessType": _STR, "LegacyTimers": _BOOL,
    "AbandonProcessGroup": _BOOL, "LowPriorityIO": _BOOL, "LaunchOnlyOnce": _BOOL, "MachServices": dict,
    "Sockets": dict,
}
# the conditions KeepAlive may hold instead of true (launchd.plist(5), under KeepAlive)
KEEPALIVE_KEYS = {"SuccessfulExit": _BOOL, "NetworkState": _BOOL, "PathState": dict, "OtherJobEnabled": dict}


def _type_ok(value: object, want: type | tuple[type, ...]) -> bool:
    # plistlib reads <integer> as int and <true/> as bool, and bool is an int in Python
    if want is _INT or (isinstance(want, tuple) and _INT in want and _BOOL not in want):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, want)


@register("launchd_plist")
def check_launchd_plist(t: Target) -> list[Finding]:
    try:
        data = plistlib.loads(t.text.encode("utf-8"))
    except (plistlib.InvalidFileException, ExpatError, ValueError) as exc:
        return [t.finding(0, f"not a property list: {exc}")]
    if not isinstance(data, dict):
        return [t.finding(0, "is not a property list dictionary")]
    findings = []
    for key, value in data.items():
        if key not in KEYS:
            findings.append(t.finding(0, f"launchd does not read the key {key!a}"))
        elif not _type_ok(value, KEYS[key]):
            findings.append(t.finding(0, f"{key} is a {type(value).__name__}, which launchd does not take there"))
    if isinstance(data.get("KeepAlive"), dict):
        for key, value in data["KeepAlive"].items():
            if key not in KEEPALIVE_KEYS or not _type_ok(value, KEEPALIVE_KEYS[key]):
                findings.append(t.finding(0, f"KeepAlive: launchd does not read {key!a} with this value"))
    for key in ("Label", "ProgramArguments"):
        if key not in data:
            findings.append(t.finding(0, f"{key} is missing (launchd needs it)"))
    args = data.get("ProgramArguments")
    if isinstance(args, list):
        if not args or not all(isinstance(a, str) for a in args):
            findings.append(t.finding(0, "ProgramArguments must be a non-empty list of strings"))
        elif not args[0].startswith("/"):
            findings.append(t.finding(0, f"ProgramArguments starts with {args[0]!a}: give the program's absolute path"))
    # what this LaunchAgent is for: keep `ssh -N ALIAS` running
    derived = t.expect.derived
    alias = t.settings["tunnel.alias"]
    if data.get("Label") != derived.launchd_label:
        findings.append(t.finding(0, f"Label is {data.get('Label')!a}; the settings say {derived.launchd_label!a}"))
    if isinstance(args, list) and (not args or args[-1] != alias or "-N" not in args):
        findings.append(t.finding(0, f"ProgramArguments are {args!a}; the tunnel needs ssh -N ... {alias}"))
    if data.get("KeepAlive") is not True or data.get("RunAtLoad") is not True:
        findings.append(t.finding(0, "KeepAlive and RunAtLoad must be true: launchd then starts the tunnel at "
                                     "login and again whenever ssh exits"))
    return findings

#!/usr/bin/env bash
# proxydocs: the VM side of the Colima proxy, in one go. Generated from proxy.toml.
# Run inside the VM as root: colima ssh -- sudo bash setup_vm.sh
# Writes apt's proxy and a systemd drop-in for each container service that reads one,
# restarts what changed, merges the docker client's config.json where a docker CLI runs in
# this VM, then shows what each program now sees.
# It checks everything before it changes anything, and it is safe to run again: it changes
# only what differs, and keeps a root-only copy of every file it changes under
# /var/backups/proxydocs/TIMESTAMP/ (at the file's own path). Files in the invoking user's
# home are read and written as that user, never as root.
# Exit codes: 0 done; 1 a service did not restart, or a step is left to do by hand; 2 refused.
set -euo pipefail
umask 022

stamp=$(date +%Y%m%d-%H%M%S)
backups="/var/backups/proxydocs/${stamp}"
changed=0
failed=""
left=0

say() { printf '%s\n' "$*"; }
die() { printf 'setup_vm: %s\n' "$*" >&2; exit 2; }
# a filter for output that may show a proxy URL: the password, if any, as ***
redact() { sed -E 's#(://[^/@:[:space:]]*):[^/@[:space:]]*@#\1:***@#g'; }

[ "$(uname -s)" = Linux ] || die "this is the VM-side script, but this machine is $(uname -s); on the Mac run setup_mac.sh, then: colima ssh -- sudo bash setup_vm.sh"
[ -d /mnt/lima-cidata ] || [ "${PROXYDOCS_NOT_LIMA_OK:-}" = 1 ] || die "this does not look like a Colima (Lima) VM (no /mnt/lima-cidata); set PROXYDOCS_NOT_LIMA_OK=1 to run it on another Linux host"
[ "$(id -u)" = 0 ] || die "run it as root: sudo bash $0"
command -v systemctl >/dev/null || die "systemctl is missing: this script needs a systemd system"
[ -d /etc/apt/apt.conf.d ] || die "/etc/apt/apt.conf.d is missing: this script is for Ubuntu or Debian"

# What this script writes, exactly as rendered from the settings.
IFS= read -r -d '' apt_conf <<'EOF' || true
Acquire::http::Proxy "http://192.168.5.2:3128/";
Acquire::https::Proxy "http://192.168.5.2:3128/";
EOF
IFS= read -r -d '' dropin <<'EOF' || true
[Service]
Environment="HTTP_PROXY=http://192.168.5.2:3128"
Environment="HTTPS_PROXY=http://192.168.5.2:3128"
Environment="NO_PROXY=localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2"
EOF
IFS= read -r -d '' docker_proxies <<'EOF' || true
{
 "proxies":
 {
   "default":
   {
     "httpProxy": "http://192.168.5.2:3128",
     "httpsProxy": "http://192.168.5.2:3128",
     "noProxy": "localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2"
   }
 }
}
EOF

has_unit() { systemctl cat "${1}.service" >/dev/null 2>&1; }

# 1. Which services read a drop-in. Colima's docker runtime writes the proxy into
# /etc/docker/daemon.json on every start, and that takes precedence over dockerd's
# environment; its image has Docker and no nerdctl. Its containerd image has nerdctl and no
# Docker: a docker.service there is docker.io installed by hand, which needs a drop-in.
services=""
for service in containerd buildkit; do
  if has_unit "$service"; then services="${services} ${service}"; fi
done
docker_mode=none
if has_unit docker; then
  if command -v nerdctl >/dev/null 2>&1; then
    docker_mode=installed
    services="${services} docker"
  else
    docker_mode=colima
  fi
fi
for service in $services; do
  file="/etc/systemd/system/${service}.service.d/http-proxy.conf"
  [ ! -e "$file" ] || [ -f "$file" ] || die "${file} is not a regular file; nothing was changed"
done
[ ! -e /etc/apt/apt.conf.d/01proxy ] || [ -f /etc/apt/apt.conf.d/01proxy ] || die "/etc/apt/apt.conf.d/01proxy is not a regular file; nothing was changed"

# 2. The docker client's config.json, only where a docker CLI runs in this VM. It lives in
# the invoking user's home: it is read and written as that user (a link or a file planted
# there can then never make root read or write anything else).
config=""
merged=""
if [ "$docker_mode" = installed ]; then
  user=${SUDO_USER:-root}
  if [ "$user" = root ]; then
    as_user() { "$@"; }
    user_home=$HOME
  else
    entry=$(getent passwd "$user") || die "the invoking user ${user} (SUDO_USER) is unknown to this system; nothing was changed"
    IFS=: read -r _ _ uid gid _ user_home _ <<<"$entry"
    as_user() { setpriv --reuid="$uid" --regid="$gid" --init-groups -- env HOME="$user_home" "$@"; }
  fi
  config_dir="${DOCKER_CONFIG:-${user_home}/.docker}"
  # the file a link there points to, resolved with the user's rights; a link stays a link
  config=$(as_user readlink -f -- "${config_dir}/config.json" 2>/dev/null) || config="${config_dir}/config.json"
  IFS= read -r -d '' merge_py <<'PY' || true
import json, os, sys
path = sys.argv[1]
entry = json.loads(os.environ["DOCKER_PROXIES"])["proxies"]["default"]
try:
    with open(path, encoding="utf-8") as f:
        text = f.read()
except FileNotFoundError:
    text = ""
except OSError as e:
    print("cannot read it (%s)" % e.strerror)
    sys.exit(3)
try:
    data = json.loads(text) if text.strip() else {}
except ValueError as e:
    print("it is not valid JSON (%s)" % e)
    sys.exit(3)
if not isinstance(data, dict):
    print("it is not a JSON object")
    sys.exit(3)
proxies = data.setdefault("proxies", {})
if not isinstance(proxies, dict):
    print('its "proxies" is not a JSON object')
    sys.exit(3)
if proxies.get("default") != entry:
    proxies["default"] = entry
    print(json.dumps(data, indent="\t", ensure_ascii=False))
PY
  dir=$(dirname "$config")
  if as_user test -d "$dir"; then
    as_user test -w "$dir" || die "${dir} is not writable by ${user}; nothing was changed"
  else
    as_user test -w "$(dirname "$dir")" || die "cannot create ${dir} as ${user}; nothing was changed"
  fi
  if as_user test -e "$config" && ! as_user test -f "$config"; then
    die "${config} is not a regular file; nothing was changed"
  fi
  if as_user sh -c 'command -v python3' >/dev/null 2>&1; then
    set +e
    merged=$(DOCKER_PROXIES=$docker_proxies as_user python3 -c "$merge_py" "$config")
    rc=$?
    set -e
    if [ "$rc" != 0 ]; then die "${config}: ${merged}; fix it first (docker itself cannot read it); nothing was changed"; fi
  elif as_user test -e "$config"; then
    left=1
  else
    merged=${docker_proxies%$'\n'}
  fi
fi

# backup_dir FOLDER: FOLDER's place in the root-only backup folder of this run
backup_dir() {
  install -d -m 700 /var/backups/proxydocs "$backups"
  (umask 077 && mkdir -p "${backups}$1")
}
# backup FILE: a copy under /var/backups/proxydocs/TIMESTAMP/, at FILE's own path
backup() {
  if [ -e "$1" ]; then
    backup_dir "$(dirname "$1")"
    cp -a "$1" "${backups}$1"
    say "  backup: ${backups}$1"
  fi
}

# put FILE CONTENT: write FILE (root's own, 0644) if it differs; sets put_changed
put_changed=0
put() {
  local file=$1 content=$2 dir tmp
  put_changed=0
  if [ -f "$file" ] && [ "$(cat "$file"; printf x)" = "${content}x" ]; then
    say "unchanged: ${file}"
    return 0
  fi
  backup "$file"
  dir=$(dirname "$file")
  mkdir -p "$dir"
  # a name starting with "." is one that apt and systemd never read
  tmp=$(mktemp "${dir}/.$(basename "$file").XXXXXX")
  printf '%s' "$content" > "$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$file"
  say "wrote: ${file}"
  changed=$((changed + 1))
  put_changed=1
}

# Every check passed: now change what differs.
# 3. apt; an older version of this script left its backups in apt.conf.d, where apt warns
# about them on every run: they move to the backup folder
put /etc/apt/apt.conf.d/01proxy "$apt_conf"
for old in /etc/apt/apt.conf.d/01proxy.proxydocs-*; do
  if [ -e "$old" ]; then
    backup_dir /etc/apt/apt.conf.d
    mv "$old" "${backups}${old}"
    say "moved out of apt.conf.d: ${old} (now ${backups}${old})"
    changed=$((changed + 1))
  fi
done

# stale SERVICE: it runs, but started before its drop-in was last written (a restart that
# failed on an earlier run), so it does not have the proxy yet
stale() {
  local started
  systemctl is-active --quiet "${1}.service" || return 1
  started=$(systemctl show "${1}.service" --property ActiveEnterTimestamp --value --timestamp=unix 2>/dev/null) || return 1
  started=${started#@}
  [ -n "$started" ] || return 1
  [ "$(stat -c %Y "/etc/systemd/system/${1}.service.d/http-proxy.conf")" -gt "${started%.*}" ]
}

# 4. the drop-ins; then restart each service whose drop-in changed (or that still runs
# without it)
restart=""
for service in $services; do
  put "/etc/systemd/system/${service}.service.d/http-proxy.conf" "$dropin"
  if [ "$put_changed" = 1 ]; then
    restart="${restart} ${service}"
  elif stale "$service"; then
    say "${service}: started before its drop-in was written: it needs a restart"
    restart="${restart} ${service}"
  fi
done
case $docker_mode in
  colima) say "docker: left alone: Colima's docker runtime puts the proxy into /etc/docker/daemon.json on every start (it takes precedence over a drop-in), and restarting dockerd would stop its running containers" ;;
  installed) say "docker: docker.io installed by hand beside nerdctl: it reads the drop-in" ;;
esac
if [ -n "$restart" ]; then
  if ! systemctl daemon-reload; then failed="${failed} daemon-reload"; fi
  for service in $restart; do
    if [ "$service" = docker ]; then say "restarting docker stops its running containers"; fi
    if systemctl restart "${service}.service"; then
      say "restarted: ${service}"
    else
      say "restart failed: ${service} (see: journalctl -u ${service}.service)"
      failed="${failed} ${service}"
    fi
  done
fi

# 5. the docker client's config.json, as the user: proxies.default is set, every other key kept
case $docker_mode in
  colima) say "docker client: it runs on the Mac, whose ~/.docker/config.json setup_mac.sh handles" ;;
  none) say "docker client config.json: not touched: nerdctl does not read its proxies; give containers the proxy with -e" ;;
esac
if [ -n "$merged" ]; then
  if as_user test -e "$config"; then
    backup_dir "$(dirname "$config")"
    (umask 077 && as_user cat -- "$config" > "${backups}${config}")
    say "  backup: ${backups}${config}"
  fi
  # as the user: a temporary file made by mktemp beside it (mode kept), then renamed over it
  IFS= read -r -d '' write_sh <<'SH' || true
set -eu
dir=$(dirname "$1")
if [ ! -d "$dir" ]; then mkdir -m 700 "$dir"; fi
tmp=$(mktemp "${dir}/.config.json.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat > "$tmp"
if [ -e "$1" ]; then chmod --reference="$1" "$tmp"; fi
mv -f "$tmp" "$1"
trap - EXIT
SH
  as_user bash -c "$write_sh" _ "$config" <<<"$merged"
  say "wrote: ${config} (as ${user})"
  changed=$((changed + 1))
elif [ "$docker_mode" = installed ] && [ "$left" = 0 ]; then
  say "unchanged: ${config}"
fi

# 6. what each program now sees
say "--- apt"
apt-config dump | grep -i '::proxy' | redact || say "apt has no proxy"
for service in containerd buildkit docker; do
  if has_unit "$service"; then
    say "--- ${service}"
    systemctl show "${service}.service" --property Environment | redact || true
  fi
done
if [ "$docker_mode" = colima ]; then
  say "--- dockerd's proxies (/etc/docker/daemon.json, written by Colima)"
  grep -i 'proxy' /etc/docker/daemon.json 2>/dev/null | redact || say "none yet: Colima writes them from colima.yaml's env: on its next start"
elif [ "$docker_mode" = installed ]; then
  say "--- docker client (${config})"
  as_user grep -i 'proxy' -- "$config" 2>/dev/null | redact || say "no proxies"
fi
if [ "$changed" = 0 ] && [ -z "$restart" ]; then say "nothing to change"; fi
if [ "$left" = 1 ]; then
  say "python3 is not available to merge ${config}: add this \"default\" entry under its \"proxies\" by hand (keep every other key):"
  redact <<<"$docker_proxies"
  say "one step left to do by hand (above)"
fi
if [ -n "$failed" ]; then
  printf 'setup_vm: these did not restart:%s; the files are written, see journalctl -u SERVICE\n' "$failed" >&2
  exit 1
fi
if [ "$left" = 1 ]; then exit 1; fi

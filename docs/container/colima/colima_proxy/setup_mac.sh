#!/usr/bin/env bash
# proxydocs: the Mac side of the Colima proxy, in one go. Generated from proxy.toml.
# Adds the tunnel to ~/.ssh/config, opens and checks it, and puts the proxy into colima.yaml.
# Safe to run again: it changes only what differs, and backs up every file it changes.
set -euo pipefail

alias_name=MyProxy
proxy_url=http://127.0.0.1:3128
proxy_shown=${proxy_url/\/\/*@/\/\/}  # without user and password
ssh_config="${HOME}/.ssh/config"
colima_yaml="${HOME}/.colima/default/colima.yaml"
begin="# >>> proxydocs ${alias_name} >>>"
end="# <<< proxydocs ${alias_name} <<<"
stamp=$(date +%Y%m%d%H%M%S)
changed=0

say() { printf '%s\n' "$*"; }
die() { printf 'setup_mac: %s\n' "$*" >&2; exit 2; }
backup() { if [ -e "$1" ]; then cp -p "$1" "$1.proxydocs-backup-${stamp}"; say "  backup: $1.proxydocs-backup-${stamp}"; fi; }

[ "$(uname -s)" = Darwin ] || die "this is the Mac-side script, but this machine is $(uname -s); inside the Colima VM run setup_vm.sh instead"
[ "$(id -u)" != 0 ] || die "run it as yourself, not as root: it edits your ~/.ssh/config"

# 1. the tunnel's block in ~/.ssh/config, between markers, before the first Host/Match block
block=$(cat <<'EOF'
# ~/.ssh/config: put this block before any "Host *" block (ssh takes the first value it finds)
Host MyProxy
  HostName <SERVER_IP>
  User admin
  Port 22
  IdentityFile ~/.ssh/proxy/id_rsa
  IdentitiesOnly yes
  ExitOnForwardFailure yes
  LocalForward 127.0.0.1:3128 127.0.0.1:3128
  ServerAliveInterval 30
  ServerAliveCountMax 3
  StrictHostKeyChecking accept-new
  ControlMaster auto
  ControlPath ~/.ssh/cm-%C
EOF
)
mkdir -p "${HOME}/.ssh" && chmod 700 "${HOME}/.ssh"
touch "$ssh_config" && chmod 600 "$ssh_config"
current=$(awk -v b="$begin" -v e="$end" '$0==b{on=1;next} $0==e{on=0;next} on' "$ssh_config")
if [ "$current" = "$block" ]; then
  say "${ssh_config}: Host ${alias_name} is up to date"
else
  if [ -z "$current" ] && awk -v b="$begin" -v a="$alias_name" '
      $0==b {mine=1} /^# <<< proxydocs / {mine=0}
      !mine && tolower($1)=="host" { for (i=2;i<=NF;i++) if ($i==a) found=1 }
      END {exit !found}' "$ssh_config"; then
    die "${ssh_config} already has a 'Host ${alias_name}' that proxydocs did not write; remove it or set tunnel.alias to another name"
  fi
  backup "$ssh_config"
  tmp=$(mktemp "${ssh_config}.XXXXXX")
  BLOCK="$block" awk -v b="$begin" -v e="$end" '
    $0==b {skip=1; next} skip && $0==e {skip=0; next} skip {next}
    !done && tolower($1) ~ /^(host|match)$/ {print b; print ENVIRON["BLOCK"]; print e; print ""; done=1}
    {print}
    END {if (!done) {if (NR) print ""; print b; print ENVIRON["BLOCK"]; print e}}' "$ssh_config" > "$tmp"
  chmod 600 "$tmp" && mv "$tmp" "$ssh_config"
  say "${ssh_config}: wrote Host ${alias_name}"
  changed=1
fi
ssh -G "$alias_name" >/dev/null || die "ssh cannot read ~/.ssh/config; the backup is beside it"

# 2. the tunnel: open it unless it is running, then ask Docker Hub through it
if ssh -O check "$alias_name" 2>/dev/null; then
  say "tunnel ${alias_name}: already running"
else
  ssh -fN "$alias_name" || die "could not open the tunnel: try 'ssh -v ${alias_name}'"
  ssh -O check "$alias_name" || die "the tunnel did not stay up: try 'ssh -v ${alias_name}'"
  say "tunnel ${alias_name}: started"
fi
# the proxy URL may hold a password: curl reads it from standard input (printf is a shell
# builtin), so it never appears on a command line that ps shows; messages show it without
code=$(printf 'proxy = "%s"\n' "$proxy_url" | curl -sS -o /dev/null -w '%{http_code}' -K - https://registry-1.docker.io/v2/ || true)
if [ "$code" = 401 ]; then
  say "proxy ${proxy_shown}: Docker Hub answers (401 is the registry asking for a token: good)"
else
  say "proxy ${proxy_shown}: Docker Hub did not answer (HTTP '${code}'); check the proxy on the server"
fi

# 3. the proxy in colima.yaml's env:, other keys and comments kept
env_block=$(cat <<'EOF'
  HTTP_PROXY: http://127.0.0.1:3128
  HTTPS_PROXY: http://127.0.0.1:3128
  NO_PROXY: localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal,192.168.5.2
EOF
)
if [ ! -f "$colima_yaml" ]; then
  say "colima.yaml: ${colima_yaml} does not exist yet: run 'colima start' once, then run this script again"
elif [ "$(awk '/^env:/{on=1;next} on && /^[^ #]/{on=0} on && /^  [A-Za-z_]+:/' "$colima_yaml" | grep -E '^  (HTTP_PROXY|HTTPS_PROXY|NO_PROXY):')" = "$env_block" ]; then
  say "colima.yaml: env is up to date"
elif grep -Eq '^env: *(\{\} *)?(#.*)?$' "$colima_yaml" || ! grep -q '^env:' "$colima_yaml"; then
  backup "$colima_yaml"
  tmp=$(mktemp "${colima_yaml}.XXXXXX")
  BLOCK="$env_block" awk '
    /^env:/ {print "env:"; print ENVIRON["BLOCK"]; on=1; done=1; next}
    on && /^[^ #]/ {on=0}
    on && /^  (HTTP_PROXY|HTTPS_PROXY|NO_PROXY):/ {next}
    {print}
    END {if (!done) {print "env:"; print ENVIRON["BLOCK"]}}' "$colima_yaml" > "$tmp"
  cat "$tmp" > "$colima_yaml" && rm -f "$tmp"  # keeps the file's owner and mode
  say "colima.yaml: wrote env (apply it: colima stop && colima start --runtime containerd --cpu 4 --memory 8 --vm-type=vz)"
  changed=1
else
  say "colima.yaml: its env: is not in a form this script edits safely; add these lines under env: by hand:"
  say "$env_block"
  exit 1
fi

if [ "$changed" = 0 ]; then say "nothing to change"; fi

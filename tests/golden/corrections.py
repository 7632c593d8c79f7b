"""Where the generated snippets knowingly differ from the author's published files.

With the default settings each generated snippet equals the published file (kept in
tests/golden/reference) after exactly these replacements, applied in order. The golden
test applies them and compares byte for byte; the snippet reference page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

ARCHIVE = "container/colima/colima_proxy_archive/"
GUIDE = "container/colima/colima_proxy/"
DOCKER_SCRIPT = "docker/network/docker_proxy/create_http_proxy_conf_for_docker"
CONTAINERD_SCRIPT = "kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd"

OLD_NO_PROXY = "*.baidu.com,192.168.0.0/16,10.0.0.0/8"  # the archive's list
AUTHOR_NO_PROXY = "localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8"  # the guide's
NO_PROXY = AUTHOR_NO_PROXY + ",host.lima.internal,host.docker.internal,192.168.5.2"
MAC_NAMES = ("the Mac as the VM and its containers name it (host.lima.internal, host.docker.internal, 192.168.5.2) "
             "is added, so that traffic to services on the Mac never enters the tunnel (colima #1293, lima #1113); "
             "Lima copies NO_PROXY into the VM unchanged, so every copy carries it")
ONE_LIST = ("one NO_PROXY list for every file and both articles (proxy.no_proxy); the archive's copy lacked localhost "
            "and 127.0.0.1; " + MAC_NAMES)
VM_VIEW = ("a file inside the VM, where 127.0.0.1 is the VM itself: it carries the VM's view of the Mac "
           "(vm.host_address), exactly as Lima's own injection does")
CONTAINER_VIEW = ("172.17.0.1 is the VM's docker0 address and nothing listens on the proxy port there under "
                  "Colima; containers reach the Mac's tunnel the way the VM does (vm.host_address)")


@dataclass(frozen=True)
class Correction:
    path: str
    old: str
    new: str
    reason: str


def _script(path: str) -> list[Correction]:
    old_heredoc = ("cat <<EOF >/etc/systemd/system/{s}.service.d/http-proxy.conf    \n[Service]    \n"
                   'Environment="HTTP_PROXY=${{HTTP_PROXY:-}}"    \nEnvironment="HTTPS_PROXY=${{HTTPS_PROXY:-}}"    \n'
                   'Environment="NO_PROXY=${{NO_PROXY:-localhost}},${{LOCAL_NETWORK}}"    \n')
    new_heredoc = ("cat <<'EOF' >/etc/systemd/system/{s}.service.d/http-proxy.conf\n[Service]\n"
                   'Environment="HTTP_PROXY=http://192.168.5.2:3128"\nEnvironment="HTTPS_PROXY=http://192.168.5.2:3128"\n'
                   f'Environment="NO_PROXY={NO_PROXY}"\n')
    service = "docker" if path == DOCKER_SCRIPT else "containerd"
    return [Correction(
        path, old_heredoc.format(s=service), new_heredoc.format(s=service),
        "${LOCAL_NETWORK} was never set, which left a trailing comma in NO_PROXY (visible in systemctl_show_env); "
        "the values came from the login environment, which `sudo` drops, so the drop-in could be written empty; "
        "the values are now written in from the settings with a quoted heredoc; trailing spaces removed",
    )]


CORRECTIONS: tuple[Correction, ...] = (
    Correction(ARCHIVE + "ssh_config",
               "  LocalForward 3128 127.0.0.1:3128\n  LocalForward 172.17.0.1:3128 127.0.0.1:3128\n",
               "  LocalForward 127.0.0.1:3128 127.0.0.1:3128\n",
               "172.17.0.1 exists only on a Linux host running docker: on a Mac the bind fails and, with "
               "ExitOnForwardFailure, takes the tunnel down (tunnel.also_bind keeps the Linux case); the bind "
               "address is explicit because the VM's 192.168.5.2 maps to the Mac's IPv4 loopback"),
    Correction(ARCHIVE + "apt_proxy", 'Acquire::http::Proxy "http://127.0.0.1:3128/";\n...\n',
               'Acquire::http::Proxy "http://192.168.5.2:3128/";\nAcquire::https::Proxy "http://192.168.5.2:3128/";\n',
               "a literal `...` line stood where the https line belongs; " + VM_VIEW),
    Correction(ARCHIVE + "environment",
               f'HTTP_PROXY="http://127.0.0.1:3128"\nHTTPS_PROXY="http://127.0.0.1:3128"\nNO_PROXY="{OLD_NO_PROXY}"\n',
               f'HTTP_PROXY="http://192.168.5.2:3128"\nHTTPS_PROXY="http://192.168.5.2:3128"\nNO_PROXY="{NO_PROXY}"\n'
               f'http_proxy="http://192.168.5.2:3128"\nhttps_proxy="http://192.168.5.2:3128"\nno_proxy="{NO_PROXY}"\n',
               VM_VIEW + "; lowercase copies added because apt, curl and wget read only lowercase; " + ONE_LIST),
    Correction(ARCHIVE + "macos_env", '"' + OLD_NO_PROXY + '"', '"' + NO_PROXY + '"', ONE_LIST),
    Correction(ARCHIVE + "colima_environment_proxy", "=" + OLD_NO_PROXY, "=" + NO_PROXY, ONE_LIST),
    Correction(ARCHIVE + "systemctl_show_env", OLD_NO_PROXY + ',"', NO_PROXY + '"',
               "the trailing comma came from the unset ${LOCAL_NETWORK} in the scripts; " + ONE_LIST),
    Correction(GUIDE + "proxy_env", '"http:127.0.0.1:3128"', '"http://127.0.0.1:3128"',
               "malformed URL: `http:` without `//` (Lima cannot parse it and copies it unchanged)"),
    Correction(GUIDE + "config.json", '"' + OLD_NO_PROXY + '"', '"' + NO_PROXY + '"', ONE_LIST),
    Correction(GUIDE + "systemctl_show_env", AUTHOR_NO_PROXY + ',"', NO_PROXY + '"',
               "the trailing comma came from the unset ${LOCAL_NETWORK} in the scripts; " + MAC_NAMES),
    Correction(GUIDE + "colima.yaml", f"NO_PROXY: {AUTHOR_NO_PROXY}\n", f"NO_PROXY: {NO_PROXY}\n", MAC_NAMES),
    Correction(GUIDE + "colima_env", f"={AUTHOR_NO_PROXY}\n", f"={NO_PROXY}\n", MAC_NAMES),
    Correction(GUIDE + "environment", f"={AUTHOR_NO_PROXY}\n", f"={NO_PROXY}\n", MAC_NAMES),
    Correction(GUIDE + "proxy_env", f'"{AUTHOR_NO_PROXY}"', f'"{NO_PROXY}"', MAC_NAMES),
    Correction(GUIDE + "dockerfile_env",
               'ENV HTTP_PROXY "http://172.17.0.1:3128"\nENV HTTP_PROXY "http://172.17.0.1:3128"\n'
               f'ENV FTP_PROXY "ftp://172.17.0.1:3128"\nENV NO_PROXY "{OLD_NO_PROXY}"\n',
               'ENV HTTP_PROXY="http://192.168.5.2:3128"\nENV HTTPS_PROXY="http://192.168.5.2:3128"\n'
               f'ENV NO_PROXY="{NO_PROXY}"\nENV http_proxy="http://192.168.5.2:3128"\n'
               f'ENV https_proxy="http://192.168.5.2:3128"\nENV no_proxy="{NO_PROXY}"\n',
               "HTTP_PROXY was set twice and HTTPS_PROXY never; FTP_PROXY pointed at an HTTP proxy with an "
               "ftp:// scheme and is dropped; lowercase copies added for apt, curl and wget in the build; "
               "ENV KEY=value replaces the legacy `ENV KEY value` form that BuildKit warns about; "
               + CONTAINER_VIEW + "; " + ONE_LIST),
    Correction("container/colima/images/debian_tini_image/dev/run_debian-dev_container",
               "#    -e HTTP_PROXY=http://172.17.0.1:3128 \\\n#    -e HTTPS_PROXY=http://172.17.0.1:3128 \\\n"
               f"#    -e NO_PROXY={AUTHOR_NO_PROXY} \\\n",
               "#    -e HTTP_PROXY=http://192.168.5.2:3128 \\\n#    -e HTTPS_PROXY=http://192.168.5.2:3128 \\\n"
               f"#    -e 'NO_PROXY={NO_PROXY}' \\\n",
               CONTAINER_VIEW + "; the NO_PROXY argument is quoted because `*` is a shell glob character; " + MAC_NAMES),
    *(Correction(f"container/colima/images/debian_tini_image/{d}", "UID=$(id -u) \\\n  --build-arg GID=$(id -g)",
                 'UID="$(id -u)" \\\n  --build-arg GID="$(id -g)"',
                 "shellcheck SC2046: an unquoted command substitution is split into words")
      for d in ("ssh/build_debian-ssh-tini_image", "dev/build_debian-dev_image")),
    *_script(DOCKER_SCRIPT),
    *_script(CONTAINERD_SCRIPT),
)

# Generated snippets with no published original: the author's page includes a file that no
# longer exists, or the current guide needs a snippet the author never wrote.
NEW_FILES = {
    ARCHIVE + "colima_proxy.yaml": "included by the archived article but missing upstream; written anew",
    GUIDE + "ssh_config": "the guide's tunnel block: explicit loopback bind, ExitOnForwardFailure, keep-alives",
    GUIDE + "ssh_tunnel": "the guide's commands to open, check and close the tunnel",
    GUIDE + "proxy_env_simple": "the guide's counter-example: the short form without http:// that apt rejects",
    GUIDE + "daemon.json": "what colima writes into /etc/docker/daemon.json on the docker runtime",
    GUIDE + "create_http_proxy_conf_for_buildkit": "buildkitd does the FROM pulls of `nerdctl build`",
    GUIDE + "nerdctl_build": "proxy build args for nerdctl build",
    "docker/network/docker_proxy/http-proxy.conf": "the systemd drop-in itself, as the scripts write it",
    GUIDE + "setup_mac.sh": "the fast path, Mac side: ssh config block, tunnel, colima.yaml env (idempotent)",
    GUIDE + "setup_vm.sh": "the fast path, VM side: apt, drop-ins, config.json, then what each program sees",
    GUIDE + "first_start": ("第一次启动: 先在 shell 中导出代理(磁盘镜像的下载只看它)，再按设置创建虚拟机；代替作者的 "
                            "``colima_qemu_2c4g`` ，那里的“vz 需要 macOS 14/15”(Colima 要求 13 或更新)和“要用代理就得在"
                            "虚拟机里安装 docker”两处与事实不符"),
    GUIDE + "colima_delete": ("``colima delete`` 与 ``colima delete --data`` 各自删除和保留什么(归档文章保留作者的一行 "
                              "``colima delete`` )"),
    GUIDE + "vm_proxy_check": "检查虚拟机经 ``vm.host_address`` 到达代理: Docker Hub 的 ``/v2/`` 返回 401",
    GUIDE + "final_check": "最后检查: 按运行时( ``docker`` 或 ``nerdctl`` )拉取并构建一个小镜像",
    GUIDE + "nerdctl_run": "containerd 运行时: nerdctl 不读 ``config.json`` 的代理，容器的代理用 ``-e`` 传入",
    GUIDE + "docker_config_mac.json": "docker 运行时 docker 客户端在 Mac 上运行，起作用的是 Mac 上的 ``~/.docker/config.json``",
    GUIDE + "tunnel.plist": "让 launchd 保持隧道的 LaunchAgent: 登录时启动， ``ssh`` 退出后重新启动",
    GUIDE + "tunnel_launchd": "加载、检查、停用这个 LaunchAgent 的命令",
    "_generated/settings.txt": "the prose substitutions: every settings value a page shows",
}


def apply(path: str, text: str) -> str:
    for c in CORRECTIONS:
        if c.path == path:
            if c.old not in text:
                raise ValueError(f"correction for {path} no longer matches the reference: {c.old!r}")
            text = text.replace(c.old, c.new)  # every occurrence: both cases of a variable
    return text

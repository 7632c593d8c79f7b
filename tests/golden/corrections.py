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
# The reasons are shown on the site's corrections list, so they are in Chinese like the pages
# (upstream names, paths and commands stay as they are, in ``literal`` markup).
MAC_NAMES = ("加入虚拟机和容器对 Mac 的称呼( ``host.lima.internal`` 、 ``host.docker.internal`` 、 ``192.168.5.2`` )，"
             "访问 Mac 上服务的流量因此不会进入隧道(colima #1293、lima #1113)；Lima 把 ``NO_PROXY`` 原样复制进虚拟机，"
             "所以每一份都带上它们")
ONE_LIST = ("所有文件和两篇文章共用一份 ``NO_PROXY`` 列表( ``proxy.no_proxy`` )；归档文章的这一份缺少 ``localhost`` 和 "
            "``127.0.0.1`` ；" + MAC_NAMES)
VM_VIEW = ("这是虚拟机内的文件，那里的 ``127.0.0.1`` 是虚拟机自己：写虚拟机看到的 Mac 地址( ``vm.host_address`` )，"
           "与 Lima 自己注入的值一致")
CONTAINER_VIEW = ("``172.17.0.1`` 是虚拟机的 docker0 地址，在 Colima 下那里没有程序监听代理端口；容器和虚拟机一样经 "
                  "``vm.host_address`` 到达 Mac 上的隧道")


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
        "``${LOCAL_NETWORK}`` 从未设置，在 ``NO_PROXY`` 末尾留下一个逗号(见 ``systemctl_show_env`` )；原脚本的值取自"
        "运行它的 shell 的环境变量，而 ``sudo`` 默认重置环境( ``env_reset`` )，drop-in 可能被写成空值；现在用带引号的 "
        "heredoc 写入由设置生成的值；删除了行尾空格",
    )]


CORRECTIONS: tuple[Correction, ...] = (
    Correction(ARCHIVE + "ssh_config",
               "  LocalForward 3128 127.0.0.1:3128\n  LocalForward 172.17.0.1:3128 127.0.0.1:3128\n",
               "  LocalForward 127.0.0.1:3128 127.0.0.1:3128\n",
               "``172.17.0.1`` 只存在于直接运行 docker 的 Linux 主机：在 Mac 上绑定失败，并因 ``ExitOnForwardFailure`` "
               "使整个隧道退出(设置 ``tunnel.also_bind`` 保留 Linux 的情形)；绑定地址写明，因为虚拟机中的 "
               "``192.168.5.2`` 对应的是 Mac 的 IPv4 回环地址"),
    Correction(ARCHIVE + "apt_proxy", 'Acquire::http::Proxy "http://127.0.0.1:3128/";\n...\n',
               'Acquire::http::Proxy "http://192.168.5.2:3128/";\nAcquire::https::Proxy "http://192.168.5.2:3128/";\n',
               "原文在 https 一行的位置写了字面的 ``...`` ；" + VM_VIEW),
    Correction(ARCHIVE + "environment",
               f'HTTP_PROXY="http://127.0.0.1:3128"\nHTTPS_PROXY="http://127.0.0.1:3128"\nNO_PROXY="{OLD_NO_PROXY}"\n',
               f'HTTP_PROXY="http://192.168.5.2:3128"\nHTTPS_PROXY="http://192.168.5.2:3128"\nNO_PROXY="{NO_PROXY}"\n'
               f'http_proxy="http://192.168.5.2:3128"\nhttps_proxy="http://192.168.5.2:3128"\nno_proxy="{NO_PROXY}"\n',
               VM_VIEW + "；加入小写的一份，因为 apt 和 wget 只读小写变量，curl 的 ``http_proxy`` 也只读小写；" + ONE_LIST),
    Correction(ARCHIVE + "macos_env", '"' + OLD_NO_PROXY + '"', '"' + NO_PROXY + '"', ONE_LIST),
    Correction(ARCHIVE + "colima_environment_proxy", "=" + OLD_NO_PROXY, "=" + NO_PROXY, ONE_LIST),
    Correction(ARCHIVE + "systemctl_show_env", OLD_NO_PROXY + ',"', NO_PROXY + '"',
               "末尾的逗号来自脚本中未设置的 ``${LOCAL_NETWORK}`` ；" + ONE_LIST),
    Correction(GUIDE + "proxy_env", '"http:127.0.0.1:3128"', '"http://127.0.0.1:3128"',
               "URL 格式错误: ``http:`` 后面没有 ``//`` (Lima 无法解析它，原样复制进虚拟机)"),
    Correction(GUIDE + "config.json", '"' + OLD_NO_PROXY + '"', '"' + NO_PROXY + '"', ONE_LIST),
    Correction(GUIDE + "systemctl_show_env", AUTHOR_NO_PROXY + ',"', NO_PROXY + '"',
               "末尾的逗号来自脚本中未设置的 ``${LOCAL_NETWORK}`` ；" + MAC_NAMES),
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
               "``HTTP_PROXY`` 设了两次而 ``HTTPS_PROXY`` 一次也没有；``FTP_PROXY`` 用 ``ftp://`` 指向一个 HTTP 代理，"
               "删去；加入小写的一份，供构建中的 apt、curl 和 wget 使用；用 ``ENV KEY=value`` 代替 BuildKit 会警告的"
               "旧写法 ``ENV KEY value`` ；" + CONTAINER_VIEW + "；" + ONE_LIST),
    Correction("container/colima/images/debian_tini_image/dev/run_debian-dev_container",
               "#    -e HTTP_PROXY=http://172.17.0.1:3128 \\\n#    -e HTTPS_PROXY=http://172.17.0.1:3128 \\\n"
               f"#    -e NO_PROXY={AUTHOR_NO_PROXY} \\\n",
               "#    -e HTTP_PROXY=http://192.168.5.2:3128 \\\n#    -e HTTPS_PROXY=http://192.168.5.2:3128 \\\n"
               f"#    -e 'NO_PROXY={NO_PROXY}' \\\n",
               CONTAINER_VIEW + "；``NO_PROXY`` 参数加了引号，因为 ``*`` 是 shell 的通配符；" + MAC_NAMES),
    *(Correction(f"container/colima/images/debian_tini_image/{d}", "UID=$(id -u) \\\n  --build-arg GID=$(id -g)",
                 'UID="$(id -u)" \\\n  --build-arg GID="$(id -g)"',
                 "shellcheck SC2046: 没有引号的命令替换会被 shell 拆成多个词")
      for d in ("ssh/build_debian-ssh-tini_image", "dev/build_debian-dev_image")),
    *_script(DOCKER_SCRIPT),
    *_script(CONTAINERD_SCRIPT),
)

# Generated snippets with no published original: the author's page includes a file that no
# longer exists, or the current guide needs a snippet the author never wrote (reasons in
# Chinese, as the site shows them).
NEW_FILES = {
    ARCHIVE + "colima_proxy.yaml": "归档文章引用了它，但原站缺少这个文件；重新编写",
    GUIDE + "ssh_config": "本文的隧道配置块: 明确的回环绑定地址、 ``ExitOnForwardFailure`` 、保活设置",
    GUIDE + "ssh_tunnel": "本文打开、检查、关闭隧道的命令",
    GUIDE + "proxy_env_simple": "本文的反例: 省略 ``http://`` 的写法，apt 会拒绝它",
    GUIDE + "daemon.json": "docker 运行时 colima 写入 ``/etc/docker/daemon.json`` 的代理部分",
    GUIDE + "create_http_proxy_conf_for_buildkit": "``nerdctl build`` 中 ``FROM`` 的镜像由 buildkitd 拉取",
    GUIDE + "nerdctl_build": "``nerdctl build`` 的代理构建参数",
    "docker/network/docker_proxy/http-proxy.conf": "脚本写入的 systemd drop-in 本身",
    GUIDE + "setup_mac.sh": "一键配置的 Mac 一侧: ssh 配置块、隧道、 ``colima.yaml`` 的 ``env:`` (可以重复运行)",
    GUIDE + "setup_vm.sh": "一键配置的虚拟机一侧: apt、drop-in、 ``config.json`` ，最后显示每个程序看到的代理",
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
    GUIDE + "overview": "代理链路图，随设置生成( ``LocalForward`` 或 SOCKS 的 ``DynamicForward`` )",
    GUIDE + "no_proxy_table": "当前 ``NO_PROXY`` 的每一项由哪些程序直连：每一格都用真实程序验证过",
    GUIDE + "privoxy_bridge": "SOCKS 隧道前面的 HTTP 代理(Mac 上的 privoxy)，给 wget 等只会用 HTTP 代理的程序",
    GUIDE + "buildkitd.toml": "错误示范: 作者最新做法中 ``buildkitd.toml`` 的 ``env`` ，buildkitd 没有这个键",
    "_generated/settings.txt": "正文中的替换值: 页面显示的每一个设置值",
}


def apply(path: str, text: str) -> str:
    for c in CORRECTIONS:
        if c.path == path:
            if c.old not in text:
                raise ValueError(f"correction for {path} no longer matches the reference: {c.old!r}")
            text = text.replace(c.old, c.new)  # every occurrence: both cases of a variable
    return text

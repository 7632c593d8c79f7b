"""Sphinx configuration for the proxydocs site (sources in docs/, run with -c .)."""

project = "proxydocs"
author = "proxydocs"
copyright = "2026, proxydocs"
language = "zh_CN"

extensions = [
    "myst_parser",
    "sphinx.ext.doctest",
    "sphinx_click",
    "sphinx_copybutton",
    "sphinx_rtd_theme",
    "generator.site.ext",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_generated", "**/.proxydocs-record.json"]
templates_path = []
highlight_language = "none"

html_theme = "sphinx_rtd_theme"
html_theme_options = {"collapse_navigation": True, "navigation_depth": 3}
html_title = "proxydocs: Colima 代理配置"
html_last_updated_fmt = None
html_copy_source = False
# Chinese search: Sphinx's zh search segments words with jieba when it is installed.
html_search_language = "zh"

# Copy only what a reader should paste: prompts and output are left out.
copybutton_prompt_text = r"\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .gp, .go"

myst_enable_extensions = ["colon_fence"]
suppress_warnings = []

# The author's :ref: labels that live on their other pages: each is an explicit link to the
# author's site (a search there, which cannot break when pages move).
_ATLAS = "https://cloud-atlas.readthedocs.io/zh-cn/latest/search.html?q="
proxydocs_external_refs = {
    label: (title, _ATLAS + label)
    for label, title in {
        "lima": "Lima",
        "ubuntu_linux": "Ubuntu Linux",
        "proxy": "代理",
        "debian_tini_image": "Debian tini 镜像",
        "docker": "Docker",
        "containerd": "containerd",
        "ssh_tunneling": "SSH Tunneling",
        "squid": "Squid",
        "privoxy": "Privoxy",
        "apt": "APT",
        "across_the_great_wall": "翻越长城",
        "docker_server_proxy": "Docker 服务器代理",
        "containerd_server_proxy": "containerd 服务器代理",
        "docker_client_proxy": "Docker 客户端代理",
        "docker_proxy": "Docker 代理",
        "set_linux_system_proxy": "Linux 系统代理",
        "systemd": "systemd",
        "containerd_proxy": "containerd 代理",
        "colima_images": "Colima 镜像",
    }.items()
}

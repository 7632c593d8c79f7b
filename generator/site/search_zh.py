"""Chinese HTML search without the per-build jieba cost, and a search page that works on
every Sphinx the project allows (`proxydocs_search_zh = False` in conf.py gives Sphinx's own).

1. Sphinx's SearchChinese.__init__ loads jieba's whole default dictionary (349,046 words) a
   second time, as a *user* dictionary, each time the HTML builder prepares writing -- also
   in a build where no page changed. The only effect of that second load on segmentation
   is that jieba's ``total`` doubles (FREQ is unchanged; user_word_tag_tab only matters to
   jieba.posseg, which Sphinx does not use). Here jieba is initialised on the first page that
   is actually indexed, and ``total`` is doubled instead of re-reading the dictionary, so the
   index is byte-identical to Sphinx's own.
   An explicitly configured ``html_search_options = {"dict": "path"}`` is still loaded (lazily).
2. Sphinx 9.0.0-9.1.0 end language_data.js with ``window.Stemmer = ChineseStemmer;`` but ship
   the English stemmer, so the search page throws ``ChineseStemmer is not defined``
   (sphinx-doc/sphinx#14229, fixed on master by #14416 after 9.1.0). The class below hands
   Sphinx ready-made stemmer code with the right class name; on 8.x and on fixed releases
   it changes nothing that matters.
3. The search page does not segment Chinese: a query is cut only at spaces and punctuation,
   so 构建镜像, 重新生成, colima代理 or ssh隧道 are looked up as one term, and jieba indexed
   构建 / 镜像, 重新 / 生成, colima / 代理 ... (nothing is found). The splitter below cuts a
   query between Han and Latin runs and each Han run into the longest terms the loaded
   index knows (forward maximum matching); a Han single character that is not a term is
   dropped (the index holds no one-character terms). Turn it off with
   ``html_search_options = {"query_split": "default"}``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search import zh as _zh

try:
    import jieba
except ImportError:  # Sphinx's own fallback: no Chinese terms at all
    jieba = None


def _english_stemmer_js() -> str | None:
    """Sphinx >= 9 keeps minified Snowball stemmers on disk; 8.x embeds a Porter stemmer."""
    try:
        from sphinx.search import _MINIFIED_JS_PATH
    except ImportError:
        return None
    base = Path(_MINIFIED_JS_PATH, "base-stemmer.js")
    english = Path(_MINIFIED_JS_PATH, "english-stemmer.js")
    if not (base.is_file() and english.is_file()):
        return None
    return "\n".join((base.read_text(encoding="utf-8"), english.read_text(encoding="utf-8"),
                      "window.Stemmer = EnglishStemmer;"))


_DEFAULT_DICT = getattr(_zh, "JIEBA_DEFAULT_DICT", "")

# language_data.js is rendered without autoescaping; this code avoids <, > and & anyway.
_SPLITTER = r"""
var splitQuery = function (query) {
  const index = typeof Search === "undefined" ? null : Search._index;
  const known = (w) => index !== null
    && (Object.hasOwn(index.terms, w) || Object.hasOwn(index.titleterms, w));
  const out = [];
  for (const token of query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)) {
    for (const run of token.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) || []) {
      if (index === null || run.length === 1 || known(run) || !/\p{Script=Han}/u.test(run)) {
        out.push(run);
        continue;
      }
      for (let i = 0; i !== run.length;) {
        let j = Math.min(run.length, i + 8);
        while (j !== i + 1 && !known(run.slice(i, j))) j--;
        if (j !== i + 1 || known(run.slice(i, j))) out.push(run.slice(i, j));
        i = j;
      }
    }
  }
  return out.length === 0 ? query.split(/\s+/).filter((t) => t) : out;
};
"""


class SearchChinese(_zh.SearchChinese):
    if getattr(_zh.SearchChinese, "js_stemmer_rawcode", None) == "english-stemmer.js":
        _code = _english_stemmer_js()
        if _code:
            js_stemmer_rawcode = ""  # falsy: Sphinx then emits js_stemmer_code as it is
            js_stemmer_code = _code
        del _code

    def __init__(self, options: dict[str, str]) -> None:
        wanted = options.get("dict", _DEFAULT_DICT)
        self._user_dict = "" if wanted == _DEFAULT_DICT else wanted
        self._jieba_ready = False
        super().__init__({**options, "dict": ""})  # "" : Sphinx skips load_userdict
        if options.get("query_split", "index") == "index":
            self.js_splitter_code = _SPLITTER

    def _init_jieba(self) -> None:
        self._jieba_ready = True
        if jieba is None:
            return
        dt = jieba.dt
        fresh = not dt.initialized
        dt.check_initialized()
        if fresh and _DEFAULT_DICT and dt.dictionary == jieba.DEFAULT_DICT:
            # what Sphinx's load_userdict(default dict) does to the model, without the 3 s
            dt.total *= 2
        if self._user_dict and Path(self._user_dict).is_file():
            jieba.load_userdict(self._user_dict)

    def split(self, input: str) -> list[str]:
        if not self._jieba_ready:
            self._init_jieba()
        return super().split(input)


def _register(app: Sphinx, config) -> None:
    if config.proxydocs_search_zh:
        app.add_search_language(SearchChinese)


def setup(app: Sphinx) -> dict:
    app.add_config_value("proxydocs_search_zh", True, "html", types=[bool, int])
    app.connect("config-inited", _register)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}

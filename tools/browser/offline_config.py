"""Prepare the offline book: its scripts from npm, and a config that serves them from the site.

Usage: python tools/browser/offline_config.py OUT_DIR   (run by `make book-offline`)

By default the HTML loads MathJax (Sphinx), require.js and the Jupyter widget
manager (myst-nb) from CDNs, and the widget manager fetches the anywidget
runtime from a CDN in turn. This script copies all four from
tools/browser/node_modules (installed by `npm ci` from the committed
package-lock.json) into OUT_DIR/static/offline/, and writes OUT_DIR/_config.yml:
the book's _config.yml with Sphinx's `mathjax_path`, myst-nb's
`nb_ipywidgets_js` and `html_static_path` pointing at those copies. The
normal build and its config are untouched.
"""

import json
import pathlib
import shutil
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODULES = HERE / "node_modules"

# Sphinx and myst-nb take these paths relative to the site's _static folder.
ASSETS = {
    "offline/mathjax": MODULES / "mathjax" / "es5",
    "offline/require.js": MODULES / "requirejs" / "require.js",
    "offline/html-manager": MODULES / "@jupyter-widgets" / "html-manager" / "dist",
    "offline/anywidget/index.js": MODULES / "anywidget" / "dist" / "index.js",
}

# The widget manager asks require.js for the module "anywidget" before it
# tries a CDN, and finds its own fonts next to the address require.js gives
# its modules; this tells require.js where the local copies are, relative to
# this script's own address, which is right from every page of the site.
REQUIRE_CONFIG = """\
(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, "");
  window.requirejs.config({
    paths: { anywidget: base + "anywidget/index", "@jupyter-widgets/html-manager/dist": base + "html-manager" },
  });
})();
"""


def copy_assets(static):
    for target, source in ASSETS.items():
        if not source.exists():
            sys.exit(f"{source} is missing: run `npm ci` in {HERE}")
        dest = static / target
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map"))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    (static / "offline" / "require-config.js").write_text(REQUIRE_CONFIG)


def offline_config(static):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    # Jupyter Book finds local extensions relative to the config file, which
    # moves to OUT_DIR here: point them back at the repository.
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in extensions.items():
        extensions[name] = str(ROOT / path)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["mathjax_path"] = "offline/mathjax/tex-mml-chtml.js"
    sphinx["nb_ipywidgets_js"] = {
        "offline/require.js": {},
        "offline/require-config.js": {},
        "offline/html-manager/embed-amd.js": {},
    }
    sphinx["html_static_path"] = [*sphinx.get("html_static_path", []), str(static)]
    return config


def main(out):
    out = pathlib.Path(out).resolve()
    static = out / "static"
    shutil.rmtree(static, ignore_errors=True)
    copy_assets(static)
    # JSON is YAML, and leaves no doubt about quoting.
    (out / "_config.yml").write_text(json.dumps(offline_config(static), indent=2) + "\n")
    print(f"offline config: {out / '_config.yml'}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

"""The notebooks as a site, without Quarto: execute each notebook and render it to HTML in `_docs/`, with an index that follows the layers.

    python tools/docs.py [--only NB ...] [--out DIR] [--jobs N] [--timeout S] [--flags "slow ..."] [--no-execute] [--keep-going]

nbdev's own site (`nbdev_install_quarto && nbdev_docs`) needs Quarto, a binary that PyPI cannot install; this path needs only
what `pip install -e ".[dev]"` brings (nbdev's execnb executes, nbconvert renders) and works offline:

- each notebook is executed as `nbdev_test` executes it (execnb's in-process IPython shell, working directory nbs/: a notebook whose
  tests pass builds; a Jupyter kernel would differ, e.g. its running event loop refuses `asyncio.run`), in a fresh process, at most
  `--timeout` seconds a notebook, `--jobs` notebooks at a time; nbconvert renders. Cells that `nbdev_test` skips are not run either: those flagged with a test flag of
  settings.ini (`#| slow`, `#| postgres`, `#| realdata`, `#| cuda`, `#| browser`) unless `--flags` names it, `#| eval: false`, and the
  final `nbdev_export()` cell; their source is shown with a note saying why they did not run.
- as nbdev's site does: `#| hide`, `#| exporti` and `#| default_exp` cells are left out, `#| export` cells show their documentation
  (nbdev's `show_doc`, run in the kernel right after the cell) instead of their source, and `#|` directive lines are dropped.
- plotly figures: the kernel uses plotly's `plotly_mimetype` renderer (the figure's JSON, `application/vnd.plotly.v1+json`), which
  becomes a `<div>` drawn by `plotly.min.js`, written once in the site folder from the installed plotly package and loaded by a plain
  `<script src>` on the pages that have figures: the site works from `file://`, offline.
- one small style sheet (`style.css`, with Pygments' colours for the code), navigation on every page (index, previous, next).
- a notebook that fails to execute is still rendered, with the error in its cell and a banner; the run lists it and exits 1
  (0 with `--keep-going`).

Prints each page with its size and time, and the totals.
"""
import argparse, ast, html, json, os, re, sys, time, traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
sys.path[:0] = [str(ROOT/'tools'), str(ROOT)]          # tools/layers.py, and this checkout's tg4_ml for --check
from layers import LAYERS, layer_of   # noqa: E402

_re_directive = re.compile(r'^\s*#\s*\|\s*(.*?)\s*$')


def directives(source: str) -> dict:
    "The `#| name [args]` lines at the top of a cell: name -> args (`eval: false` -> {'eval:': 'false'})."
    out = {}
    for line in source.splitlines():
        m = _re_directive.match(line)
        if not m:
            if line.strip(): break
            continue
        name, _, args = m.group(1).partition(' ')
        if name: out[name] = args.strip()
    return out


def strip_directives(source: str) -> str:
    "The source without its leading `#|` lines."
    lines = source.splitlines()
    i = 0
    while i < len(lines) and (_re_directive.match(lines[i]) or not lines[i].strip()): i += 1
    return '\n'.join(lines[i:])


def test_flags() -> list[str]:
    "The test flags of settings.ini (`tst_flags`): cells flagged with one are skipped unless asked for."
    cfg = ConfigParser(); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT'].get('tst_flags', '').split()


def title_summary(nb: dict) -> tuple[str, str]:
    "The notebook's `# Title` and `> summary` from its first markdown cell that has a title."
    for c in nb['cells']:
        if c['cell_type'] != 'markdown': continue
        src = ''.join(c['source'])
        m = re.search(r'^#\s+(.+)$', src, re.MULTILINE)
        if not m: continue
        s = re.search(r'^>\s*(.+)$', src, re.MULTILINE)
        return m.group(1).strip(), (s.group(1).strip() if s else '')
    return '', ''


def default_exp(nb: dict) -> str | None:
    "The module a notebook exports to (`#| default_exp`), as `tg4_ml.x.y`."
    for c in nb['cells']:
        if c['cell_type'] == 'code':
            d = directives(''.join(c['source']))
            if 'default_exp' in d: return f"tg4_ml.{d['default_exp']}"
    return None


def documented_names(source: str) -> list[str]:
    "Public functions and classes a `#| export` cell defines, as nbdev's `show_doc` names them (`Class.method` for `@patch`)."
    try: tree = ast.parse(strip_directives(source))
    except SyntaxError: return []
    names = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): continue
        if node.name.startswith('_') and not node.name.startswith('__'): continue
        decos = [d.id if isinstance(d, ast.Name) else getattr(d, 'attr', '') for d in getattr(node, 'decorator_list', [])]
        if 'patch' in decos and node.args.args and isinstance(node.args.args[0].annotation, ast.Name):
            names.append(f"{node.args.args[0].annotation.id}.{node.name}")
        elif 'patch' not in decos: names.append(node.name)
    return names


def skip_reason(cell: dict, run_flags: set, all_flags: set) -> str | None:
    "Why `nbdev_test` would not run this code cell (None: it runs)."
    src = ''.join(cell['source'])
    d = directives(src)
    flagged = sorted((set(d) & all_flags) - run_flags)
    if flagged: return f"flagged {', '.join('#| ' + f for f in flagged)}: not run in this build (tools/docs.py --flags \"{' '.join(flagged)}\")"
    if d.get('eval:', '').lower() == 'false': return '#| eval: false: never run'
    if 'nbdev_export()' in src or 'nbdev.nbdev_export()' in src: return 'the export cell'
    return None


def prepare(nb: dict, run_flags: set, all_flags: set) -> dict:
    """Before execution: a first cell that imports `show_doc`, a `show_doc(name)` cell after each `#| export` cell for the names it
    defines (unless the notebook already shows them), and each cell's plan in its metadata (`tg4_docs`: skip reason, hide, doc)."""
    import nbformat
    shown = set(re.findall(r'show_doc\(\s*([\w.]+)', ''.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code')))
    cells = [nbformat.v4.new_code_cell('from nbdev.showdoc import show_doc', metadata={'tg4_docs': {'hide': True}})]
    for c in nb['cells']:
        c.setdefault('metadata', {})
        if c['cell_type'] != 'code': cells.append(c); continue
        src = ''.join(c['source'])
        d = directives(src)
        plan = {}
        reason = skip_reason(c, run_flags, all_flags)
        if reason: plan['skip'] = reason
        if d.keys() & {'hide', 'exporti', 'default_exp'} or (reason == 'the export cell'): plan['hide'] = True
        elif d.keys() & {'export', 'exports'}: plan['source_hidden'] = True
        c['metadata']['tg4_docs'] = plan
        c['outputs'] = []; c['execution_count'] = None
        cells.append(c)
        if d.keys() & {'export', 'exports'}:
            for name in documented_names(src):
                if name in shown: continue
                shown.add(name)
                cells.append(nbformat.v4.new_code_cell(f'show_doc({name})', metadata={'tg4_docs': {'source_hidden': True, 'doc': True,
                                                                                                       **({'skip': reason} if reason else {})}}))
    nb['cells'] = cells
    return nb


def execute(nb: dict, path: Path, timeout: float) -> tuple[dict, str | None]:
    """Run the notebook's cells as `nbdev_test` does (execnb's `CaptureShell`, in this process, working directory nbs/), skipping
    the planned ones, within `timeout` seconds in all. The notebook with its outputs, and the error or None."""
    from execnb.shell import CaptureShell
    from execnb.nbio import dict2nb, nb2dict
    from fastcore.xtras import working_directory
    nbo = dict2nb(nb)
    shell = CaptureShell(path)
    deadline, error = time.monotonic() + timeout, None
    with working_directory(path.parent):
        for cell in nbo.cells:
            if cell.cell_type != 'code' or cell.get('metadata', {}).get('tg4_docs', {}).get('skip'): continue
            left = deadline - time.monotonic()
            if left <= 0:
                error = f"ran past its {timeout:.0f} s (tools/docs.py --timeout)"; break
            shell.timeout = max(1, int(left))
            shell.cell(cell)
            if shell.exc is not None:
                e = shell.exc
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ''
                error = (f"ran past its {timeout:.0f} s (tools/docs.py --timeout) in the cell that starts {first!r}" if isinstance(e, TimeoutError)
                         else f"{type(e).__name__}: {e}")
                break
    return nb2dict(nbo), error


def plotly_div(fig: dict) -> str:
    "A plotly figure's JSON as a `<div>` and the script that draws it (plotly.js comes from the page's `<script src>`)."
    import plotly.io as pio
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, validate=False)


def postprocess(nb, executed: bool = True) -> tuple[int, int]:
    """After execution: drop hidden cells and directive lines, hide export sources (shown when not executed: there is no `show_doc`
    output then), note skipped cells, plotly JSON -> div. Returns (figures, cells not run)."""
    import nbformat
    cells, figures, skipped = [], 0, 0
    for c in nb.cells:
        plan = c.get('metadata', {}).pop('tg4_docs', {})
        if not executed and not plan.get('doc'): plan.pop('source_hidden', None)
        if c.cell_type != 'code': cells.append(c); continue
        if plan.get('hide'): continue
        if plan.get('skip'):
            if plan.get('doc') or plan.get('source_hidden'): continue       # nothing to show: no output and a hidden source
            skipped += 1
            c.outputs = [nbformat.v4.new_output('display_data', {'text/html': f"<div class='skipped'>{html.escape(plan['skip'])}</div>"})]
        c.source = strip_directives(c.source)
        if plan.get('source_hidden'): c.metadata['tg4_hidden'] = True
        outs = []
        for o in c.get('outputs', []):
            data = o.get('data', {})
            if o.get('output_type') in ('display_data', 'execute_result') and not data: continue    # nothing to show
            if plan.get('doc') and 'text/markdown' in data:     # show_doc's source link carries Quarto's {target=...} attributes
                data['text/markdown'] = re.sub(r'\{target="_blank"[^}]*\}', '', data['text/markdown'])
            if 'application/vnd.plotly.v1+json' in data:
                figures += 1
                o.data = {'text/html': plotly_div(data['application/vnd.plotly.v1+json'])}
            outs.append(o)
        c.outputs = outs
        if plan.get('source_hidden') and not outs: continue
        cells.append(c)
    nb.cells = cells
    return figures, skipped


def render_body(nb) -> str:
    "The notebook's cells as HTML (nbconvert's `basic` template: no style sheet of its own, no prompts)."
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    for c in nb.cells:          # an export cell shows its documentation, not its source (nbdev's `rm_export`)
        if c.cell_type == 'code' and c.metadata.pop('tg4_hidden', False): c.metadata.setdefault('tags', []).append('tg4-hide-input')
    cfg = Config({'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': ['tg4-hide-input']}})
    exp = HTMLExporter(config=cfg, template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nb)
    return body


def page(title: str, body: str, nav: str, plotly: bool, css='style.css', js='plotly.min.js') -> str:
    head = (f"<meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)} · tg4_ml</title><link rel='stylesheet' href='{css}'>"
            + (f"<script src='{js}'></script>" if plotly else ''))
    return f"<!doctype html><html lang='en'><head>{head}</head><body><nav>{nav}</nav><main>{body}</main><nav class='bottom'>{nav}</nav></body></html>\n"


def build_one(job: dict) -> dict:
    "Execute (unless told not to) and render one notebook into `job['out']`; returns what the index and the summary need."
    import nbformat
    t0 = time.monotonic()
    os.environ['PLOTLY_RENDERER'] = 'plotly_mimetype'     # the kernel inherits it: figures as JSON, drawn by the shared plotly.js
    src = Path(job['path'])
    nb = prepare(nbformat.read(src, as_version=4), set(job['run_flags']), set(job['all_flags']))
    error = None
    if job['execute']:
        try: nb, error = execute(nb, src, job['timeout'])
        except Exception as e: error = f"could not execute: {type(e).__name__}: {e}"
    nb = nbformat.reads(json.dumps(nb), as_version=4)         # outputs as execnb wrote them -> nbformat's nodes
    figures, skipped = postprocess(nb, executed=job['execute'])
    body = render_body(nb)
    if error:
        body = (f"<p class='failed'>This notebook failed to execute in this build: {html.escape(error)}. "
                "The cell with the error shows it; the cells after it did not run.</p>") + body
    out = Path(job['out'])/job['page']
    out.write_text(page(job['title'], body, job['nav'], plotly=figures > 0))
    return dict(page=job['page'], name=src.name, error=error, figures=figures, skipped=skipped, bytes=out.stat().st_size,
                seconds=time.monotonic() - t0)


STYLE = """
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:8px 24px 32px}
nav{background:#f3f5f8;border-bottom:1px solid #dde2e8;padding:8px 24px;font-size:14px}
nav.bottom{border-top:1px solid #dde2e8;border-bottom:0}
nav a{margin-right:14px;color:#0b5cad;text-decoration:none} nav a:hover{text-decoration:underline}
h1{font-size:28px;margin:18px 0 4px} h2{font-size:21px;margin-top:28px;border-bottom:1px solid #e4e7eb} h3{font-size:17px}
blockquote{margin:0 0 12px;padding:2px 14px;color:#4a5563;border-left:4px solid #c9d3df;font-size:16px}
code{font:13px/1.45 ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;background:#f3f5f8;padding:1px 3px;border-radius:3px}
pre{font:13px/1.45 ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;margin:0;padding:8px 10px;overflow-x:auto;white-space:pre}
pre code{background:none;padding:0}
.jp-Cell{margin:10px 0}
.jp-InputArea-editor,.jp-CodeCell .highlight{background:#f7f8fa;border:1px solid #e4e7eb;border-radius:4px}
.jp-OutputArea-output{margin:4px 0 0;overflow-x:auto}
.jp-OutputArea-output pre{background:none;border-left:3px solid #e4e7eb;white-space:pre-wrap}
.jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr'] pre{border-left-color:#f0c36d;color:#6b5200}
.jp-Collapser,.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-mod-collapsed,.jp-Cell-inputWrapper[hidden]{display:none}
table{border-collapse:collapse;margin:8px 0;font-size:13px} th,td{border:1px solid #dde2e8;padding:3px 8px;text-align:right}
th{background:#f3f5f8} td:first-child,th:first-child{text-align:left}
.skipped{color:#6b7280;font-size:13px;font-style:italic;border-left:3px solid #c9d3df;padding-left:8px}
.failed{background:#fdecea;border:1px solid #f5c2c0;color:#8a1c15;padding:8px 12px;border-radius:4px}
.layer{margin-top:26px} .layer h2{margin-bottom:4px} .layer p.what{color:#4a5563;margin:0 0 8px}
ul.nbs{list-style:none;padding:0;margin:0} ul.nbs li{padding:5px 0;border-bottom:1px solid #eef0f3}
ul.nbs .mod{font:12px ui-monospace,Menlo,monospace;color:#6b7280;margin-left:6px} ul.nbs .sum{display:block;color:#4a5563;font-size:14px}
.badge{font-size:12px;border-radius:3px;padding:0 5px;margin-left:6px;background:#fdecea;color:#8a1c15}
.ansi-red-fg{color:#b3261e}.ansi-green-fg{color:#1a7f37}.ansi-yellow-fg{color:#8a6d00}.ansi-blue-fg{color:#0b5cad}.ansi-cyan-fg{color:#0a7d8c}
.ansi-bold{font-weight:bold}
.anchor-link{visibility:hidden;margin-left:6px;color:#9aa4b1;text-decoration:none} h1:hover .anchor-link,h2:hover .anchor-link,h3:hover .anchor-link{visibility:visible}
.sd-source{float:right;font-size:12px}
"""

LAYER_NOTES = {'core': 'paths, seeds, devices, the model-kind loaders and the data types', 'data': 'candles and trades: validation, stores, exchange data',
               'features': 'causal features, labels, splits and normalisation', 'models': 'the models, and how they are evaluated',
               'registry': 'versioned models with their provenance', 'train': 'training runs, tuning, and the reinforcement-learning environment',
               'apps': 'strategies for the paper tester, replay, ensembles, the command line', 'testing': 'fixtures for the notebooks\' tests'}


def _inline_code(text: str) -> str:
    "Escaped text with its `backticked` words as <code>."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text))


def index_page(entries: list[dict], results: dict, overview: str | None, out: Path) -> str:
    "The index: one section a layer (tools/layers.py), the notebooks of each with title, module and summary (a link where its page exists)."
    parts = ["<h1>tg4_ml</h1><blockquote>The package's notebooks, executed and rendered, in the order of its import layers: "
             "a module uses only its own layer and those above it on this page.</blockquote>"]
    if overview: parts.append(f"<p><a href='{overview}'>Overview (the README)</a></p>")
    for i, (layer, _) in enumerate(LAYERS):
        mine = [e for e in entries if e['layer'] == i]
        if not mine: continue
        items = []
        for e in mine:
            r = results.get(e['page'], {})
            badge = "<span class='badge'>failed to execute</span>" if r.get('error') else ''
            name = _inline_code(e['title'] or e['name'])
            link = f"<a href='{e['page']}'>{name}</a>" if (out/e['page']).exists() else f"{name} <span class='badge'>not built</span>"
            items.append(f"<li>{link}<span class='mod'>{e['module']}</span>{badge}"
                         f"<span class='sum'>{_inline_code(e['summary'])}</span></li>")
        parts.append(f"<section class='layer'><h2>{i} · {layer}</h2><p class='what'>{html.escape(LAYER_NOTES.get(layer, ''))}</p>"
                     f"<ul class='nbs'>{''.join(items)}</ul></section>")
    return page('index', ''.join(parts), "<a href='index.html'>tg4_ml docs</a>", plotly=False)


def notebooks(only: list[str] | None) -> list[Path]:
    "The notebooks of nbs/ (not `_` scratch ones), or those `--only` names (a file name, a stem, or a prefix like `44`)."
    nbs = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if not only: return nbs
    out = []
    for want in only:
        w = Path(want).name
        hits = [p for p in nbs if p.name == w or p.stem == w or p.stem.startswith(w + '_') or p.stem.split('_')[0] == w]
        if not hits: raise SystemExit(f"tools/docs.py: no notebook in nbs/ matches {want!r}")
        out += [h for h in hits if h not in out]
    return out


def check_site(out: Path, pages: list[str], expected: dict | None = None) -> int:
    """Open the index and `pages` in headless Chromium (tg4_ml.eval.browser): every plotly figure drawn, no script error or failed
    load, the page's title shown, as many figures in the page as the build wrote (`expected`: page name -> figures; a figure lost in
    rendering fails); the index links to every page of the site and each of its links resolves. Returns the failures."""
    from urllib.parse import urlparse, unquote
    from tg4_ml.eval.browser import open_page
    failures = 0
    def visit(name):
        nonlocal failures
        try:
            pg = open_page(out/name, timeout=60)
            print(f"  browser: {name:<36} {pg.figures} figures, {pg.rendered} rendered, {len(pg.errors)} errors, {pg.height} px tall, {pg.seconds:.1f} s")
            pg.check()
            return pg
        except Exception as e:
            failures += 1; print(f"  browser FAILED: {name}: {e}"); return None
    idx = visit('index.html')
    if idx is not None:
        linked = {Path(unquote(urlparse(u).path)) for u in idx.links if u.startswith('file:')}
        site = {p.resolve() for p in out.glob('*.html') if p.name != 'index.html'}
        unlinked, broken = sorted(p.name for p in site - linked), sorted(str(p) for p in linked if not p.exists())
        print(f"  browser: the index links {len(linked & site)} of the site's {len(site)} pages")
        if unlinked: failures += 1; print(f"  browser FAILED: the index does not link {', '.join(unlinked)}")
        if broken: failures += 1; print(f"  browser FAILED: the index links missing pages: {', '.join(broken)}")
    for nb in notebooks(pages) if pages else []:
        name = nb.stem + '.html'
        pg = visit(name)
        if pg is not None and not pg.text.strip():
            failures += 1; print(f"  browser FAILED: {name} shows no text")
        want = (expected or {}).get(name, {}).get('figures')
        if pg is not None and want is not None and pg.figures != want:
            failures += 1; print(f"  browser FAILED: {name} has {pg.figures} plotly figures in the browser, the build wrote {want}")
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--only', nargs='+', metavar='NB', help='render these notebooks only (file name, stem or number prefix); the index lists all')
    ap.add_argument('--out', default=str(ROOT/'_docs'), help='site folder (default _docs/, git-ignored)')
    ap.add_argument('--jobs', type=int, default=2, help='notebooks executed at a time (default 2)')
    ap.add_argument('--timeout', type=float, default=600, help='seconds a notebook may run (default 600)')
    ap.add_argument('--flags', default='', help='test flags whose cells run too, as for nbdev_test (e.g. "slow realdata")')
    ap.add_argument('--no-execute', action='store_true', help='render the notebooks as committed (no outputs), without running them')
    ap.add_argument('--keep-going', action='store_true', help='exit 0 even if a notebook failed to execute')
    ap.add_argument('--check', nargs='*', metavar='NB', help='then open the index and these pages in headless Chromium and check them '
                                                              '(figures drawn, no errors, the index links every page); exit 1 on a failure')
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    (out/'style.css').write_text(STYLE + _pygments_css())
    import plotly.offline
    (out/'plotly.min.js').write_text(plotly.offline.get_plotlyjs())

    import nbformat
    all_nbs = notebooks(None)
    entries, overview = [], None
    for p in all_nbs:
        nb = nbformat.read(p, as_version=4)
        title, summary = title_summary(nb)
        module = default_exp(nb)
        if module is None:
            if p.stem == 'index': overview = 'overview.html'
            entries.append(dict(path=p, name=p.name, page='overview.html' if p.stem == 'index' else f"{p.stem}.html", title=title or 'Overview',
                                summary=summary, module='', layer=None))
            continue
        entries.append(dict(path=p, name=p.name, page=f"{p.stem}.html", title=title, summary=summary, module=module, layer=layer_of(module)))
    ordered = [e for e in entries if e['layer'] is None] + sorted((e for e in entries if e['layer'] is not None), key=lambda e: (e['layer'], e['name']))
    for i, e in enumerate(ordered):
        links = ["<a href='index.html'>tg4_ml docs</a>"]
        if e['layer'] is not None: links.append(f"<span>layer {e['layer']} · {LAYERS[e['layer']][0]}</span>")
        if i > 0: links.append(f"<a href='{ordered[i-1]['page']}'>← {html.escape(ordered[i-1]['title'] or ordered[i-1]['name'])}</a>")
        if i + 1 < len(ordered): links.append(f"<a href='{ordered[i+1]['page']}'>{html.escape(ordered[i+1]['title'] or ordered[i+1]['name'])} →</a>")
        e['nav'] = ' '.join(links)

    chosen = {p.name for p in notebooks(args.only)}
    run_flags, all_flags = args.flags.split(), test_flags()
    jobs = [dict(path=str(e['path']), page=e['page'], title=e['title'] or e['name'], nav=e['nav'], out=str(out), execute=not args.no_execute,
                 timeout=args.timeout, run_flags=run_flags, all_flags=all_flags) for e in ordered if e['name'] in chosen]
    print(f"tools/docs.py: {len(jobs)} notebooks into {out} ({'not executed' if args.no_execute else f'executed, {args.jobs} at a time, {args.timeout:.0f} s each at most'}"
          f"{', flags ' + ' '.join(run_flags) if run_flags else ''})", flush=True)
    results = {}
    # a fresh process for each notebook, as nbdev_test's shells are separate: no module state, cwd or alarm carries over
    fresh = {} if args.no_execute else {'max_tasks_per_child': 1}
    with ProcessPoolExecutor(max_workers=max(1, args.jobs), **fresh) as pool:
        futures = {pool.submit(build_one, j): j for j in jobs}
        for f in as_completed(futures):
            j = futures[f]
            try: r = f.result()
            except Exception:
                r = dict(page=j['page'], name=Path(j['path']).name, error='could not render: ' + traceback.format_exc().strip().splitlines()[-1],
                         figures=0, skipped=0, bytes=0, seconds=0.0)
            results[r['page']] = r
            status = f"FAILED: {r['error']}" if r['error'] else 'ok'
            print(f"  {r['page']:<36} {r['bytes']/1e3:7.0f} kB  {r['seconds']:5.1f} s  {r['figures']} figures  {r['skipped']} cells not run  {status}", flush=True)
    # pages of earlier builds keep their state on the index (a --only build rewrites only the chosen pages)
    index = out/'index.html'
    index.write_text(index_page([e for e in ordered if e['layer'] is not None], results, overview if overview and (out/overview).exists() else None, out))
    failed = [r for r in results.values() if r['error']]
    total = sum(r['bytes'] for r in results.values())
    print(f"tools/docs.py: {len(results)} pages + index ({index.stat().st_size/1e3:.0f} kB), {total/1e6:.1f} MB of pages, "
          f"plotly.min.js {(out/'plotly.min.js').stat().st_size/1e6:.1f} MB once, {time.monotonic() - t0:.0f} s; "
          f"{len(failed)} failed to execute{': ' + ', '.join(r['name'] for r in failed) if failed else ''}")
    print(f"open {index}")
    bad = 1 if failed and not args.keep_going else 0
    if args.check is not None:
        n = check_site(out, args.check, results)
        print(f"tools/docs.py: browser check of the index and {len(args.check)} pages: {'passed' if n == 0 else f'{n} failed'}")
        bad = bad or (1 if n else 0)
    return bad


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(style='default').get_style_defs('.highlight')


if __name__ == '__main__':
    sys.exit(main())

"""The import-layer contract of tg4_ml: a module imports only from its own layer or lower ones, and no modules import each other in a cycle.

    python tools/layers.py [--graph]

Layers, lowest first (the notebook numbers follow them):

    0 core        tg4_ml, core, types
    1 data        data.*
    2 features    features.*
    3 models      models.*, eval.*
    4 registry    registry
    5 train       train.*, rl.* (the RL environment and agents)
    6 apps        strategies.*, replay, ensemble, papertester, cli
    7 testing     testing (the tests' fixtures)

Every import counts, at module level or inside a function (a lazy import is still a dependency), read with `ast` from
tg4_ml/**/*.py (nbdev's generated modules; the notebooks are their source). A module that no layer claims is an error too:
add it to LAYERS below. Exits 1 on any violation that is not in ALLOWED, printing one line per violation.
"""
import argparse, ast, sys
from pathlib import Path

LAYERS = [                      # (name, module prefixes); a prefix matches the module and its submodules
    ('core', ['tg4_ml', 'tg4_ml.core', 'tg4_ml.types']),
    ('data', ['tg4_ml.data']),
    ('features', ['tg4_ml.features']),
    ('models', ['tg4_ml.models', 'tg4_ml.eval']),
    ('registry', ['tg4_ml.registry']),
    ('train', ['tg4_ml.train', 'tg4_ml.rl']),
    ('apps', ['tg4_ml.strategies', 'tg4_ml.replay', 'tg4_ml.ensemble', 'tg4_ml.papertester', 'tg4_ml.cli']),
    ('testing', ['tg4_ml.testing']),   # fixtures for the notebooks' tests: may use every layer, imported by none
]

# Known violations, each (importer, imported) with the issue that removes it; the check passes over these only.
ALLOWED = {}

ROOT = Path(__file__).resolve().parent.parent
PKG = 'tg4_ml'


def modules() -> dict:
    "Module name -> path of every module in the package (generated files included, _modidx excluded)."
    out = {}
    for p in sorted((ROOT/PKG).rglob('*.py')):
        if p.name == '_modidx.py': continue
        parts = p.relative_to(ROOT).with_suffix('').parts
        out['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = p
    return out


def layer_of(module: str) -> int | None:
    "Index of the layer whose longest prefix matches `module`."
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for pre in prefixes:
            if (module == pre or module.startswith(pre + '.')) and len(pre) > best_len: best, best_len = i, len(pre)
    return best


def imports(module: str, path: Path, known: dict) -> list[tuple[str, int]]:
    "(imported tg4_ml module, line) of every import in the file, relative imports resolved."
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == '__init__.py' else module.rpartition('.')[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - (node.level - 1)]
                target = '.'.join(base + ([node.module] if node.module else []))
            else: target = node.module or ''
            for a in node.names:                   # `from tg4_ml.data import store` imports the submodule
                sub = f"{target}.{a.name}"
                found.append((sub if sub in known else target, node.lineno))
    out = []
    for name, line in found:
        if name != PKG and not name.startswith(PKG + '.'): continue
        while name not in known and '.' in name: name = name.rpartition('.')[0]   # `import tg4_ml.data.store.x` -> the module
        out.append((name, line))
    return out


def cycles(graph: dict) -> list[list[str]]:
    "Strongly connected components with more than one module (Tarjan)."
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index: visit(v)
    return out


def check(verbose: bool = False) -> int:
    known = modules()
    problems, allowed_seen, graph = [], set(), {}
    for module, path in known.items():
        rel = path.relative_to(ROOT)
        mine = layer_of(module)
        if mine is None:
            problems.append(f"{rel}: {module} belongs to no layer: add it to LAYERS in tools/layers.py"); continue
        for target, line in imports(module, path, known):
            if target == module: continue
            graph.setdefault(module, set()).add(target)
            theirs = layer_of(target)
            if theirs is None or theirs <= mine: continue
            if (module, target) in ALLOWED: allowed_seen.add((module, target)); continue
            problems.append(f"{rel}:{line}: {module} (layer {mine} {LAYERS[mine][0]}) imports {target} "
                            f"(layer {theirs} {LAYERS[theirs][0]}): a lower layer must not import a higher one")
    for comp in cycles(graph):
        edges = [(a, b) for a in comp for b in sorted(graph.get(a, ())) if b in comp]
        if all(e in ALLOWED for e in edges):
            allowed_seen.update(edges); continue
        problems.append(f"import cycle between {', '.join(comp)} (edges: {', '.join(f'{a} -> {b}' for a, b in edges)})")
    for edge in sorted(allowed_seen): print(f"known, allowed for now: {edge[0]} -> {edge[1]} ({ALLOWED[edge]})")
    for edge in sorted(set(ALLOWED) - allowed_seen):
        print(f"note: allowed edge {edge[0]} -> {edge[1]} no longer occurs: remove it from ALLOWED")
    if verbose:
        for m in sorted(graph): print(f"{m} -> {', '.join(sorted(graph[m]))}")
    for p in problems: print(p)
    n_edges = sum(len(v) for v in graph.values())
    print(f"layers: {len(known)} modules, {n_edges} import edges, {len(problems)} violations"
          + (f", {len(allowed_seen)} allowed known edges" if allowed_seen else ''))
    return 1 if problems else 0


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--graph', action='store_true', help='print every module edge')
    sys.exit(check(ap.parse_args().graph))

"""Byte-compiles Python for LayerLab's base images (guest/debian-images.ts runs it).

It runs under the image's own python3.11 (i386, started on the build host through the image's
ld-linux.so.2), so the bytecode is exactly what the guest's interpreter would write.

  pyc.py sourceless [--no-docstrings] ROOT DIR... [--keep REL...]
      Every module under ROOT/DIR becomes a legacy `module.pyc` beside where `module.py` was
      (what `compileall -b` writes, and how Python's Windows embeddable distribution ships its
      standard library); the `.py` and all `__pycache__` directories are removed. Run with
      `-X no_debug_ranges`: without source there is no line to put column carets under, and
      the column tables are a fifth of a .pyc. Kept as source: REL paths given with --keep
      (scripts run by path), symlinks to absolute paths (Debian's sitecustomize.py → /etc:
      a config file; it gets a checked-hash cache .pyc from ROOT's own copy), and files that
      do not compile. A relative symlink `a.py -> b.py` becomes `a.pyc -> b.pyc`.
      --no-docstrings drops the docstrings of modules, classes and functions (as -OO does, but
      asserts stay): for tools such as pip, whose docstrings nobody reads with help().

  pyc.py cached DIR...
      A checked-hash `__pycache__/module.cpython-311.pyc` beside every `module.py` (sources kept):
      for the offline wheels, whose packages pip installs without compiling.

Files are visited in sorted order, so the same inputs give the same bytes.
"""
import ast
import importlib._bootstrap_external
import importlib.util
import os
import py_compile
import sys

UNCHECKED = py_compile.PycInvalidationMode.UNCHECKED_HASH
CHECKED = py_compile.PycInvalidationMode.CHECKED_HASH


def walk(top):
    for d, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            yield os.path.join(d, f)


def without_docstrings(tree):
    """`tree` with the docstrings of its module, classes and functions removed (asserts stay, unlike -OO)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.copy_location(ast.Pass(), first)]
    return tree


def compile_to(source, cfile, dfile, mode, strip=False):
    try:
        if not strip:
            py_compile.compile(source, cfile=cfile, dfile=dfile, doraise=True, invalidation_mode=mode)
            return True
        with open(source, "rb") as f:
            raw = f.read()
        # (no reference to the tree outlives compile(): marshal writes objects that are referenced
        # more than once differently, so a live tree would change the bytes)
        code = compile(without_docstrings(ast.parse(importlib.util.decode_source(raw), dfile)), dfile, "exec", dont_inherit=True)
        with open(cfile, "wb") as f:
            f.write(importlib._bootstrap_external._code_to_hash_pyc(code, importlib.util.source_hash(raw), mode == CHECKED))
        return True
    except (py_compile.PyCompileError, SyntaxError) as err:
        print(f"pyc.py: keeping {dfile} as source: {getattr(err, 'msg', err)}", file=sys.stderr)
        return False


def sourceless(root, dirs, keep, strip):
    count = 0
    for top in dirs:
        base = os.path.join(root, top)
        for d, subdirs, _ in list(os.walk(base)):
            if os.path.basename(d) == "__pycache__":
                for f in os.listdir(d):
                    os.remove(os.path.join(d, f))
                os.rmdir(d)
        for path in list(walk(base)):
            if not path.endswith(".py"):
                continue
            rel = os.path.relpath(path, root)
            if rel in keep:
                continue
            if os.path.islink(path):
                target = os.readlink(path)
                if os.path.isabs(target):
                    # a config file elsewhere (sitecustomize.py → /etc): source stays, cache from ROOT's copy
                    cache = importlib.util.cache_from_source(path)
                    compile_to(os.path.join(root, target.lstrip("/")), cache, "/" + rel, CHECKED)
                elif target.endswith(".py"):
                    os.remove(path)
                    os.symlink(target + "c", path + "c")
                continue
            if compile_to(path, path + "c", "/" + rel, UNCHECKED, strip):
                os.remove(path)
                count += 1
    print(f"pyc.py: {count} modules made sourceless under {', '.join(dirs)}", file=sys.stderr)


def cached(dirs):
    for top in dirs:
        for path in list(walk(top)):
            if path.endswith(".py") and not os.path.islink(path):
                compile_to(path, importlib.util.cache_from_source(path), os.path.relpath(path, top), CHECKED)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["sourceless"]:
        keep = set()
        strip = "--no-docstrings" in args
        args = [a for a in args if a != "--no-docstrings"]
        if "--keep" in args:
            i = args.index("--keep")
            keep = set(args[i + 1:])
            args = args[:i]
        sourceless(args[1], args[2:], keep, strip)
    elif args[:1] == ["cached"]:
        cached(args[1:])
    else:
        sys.exit(__doc__)

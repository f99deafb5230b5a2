"""Run one notebook in a sandbox: bubblewrap where there is one, a bare process otherwise.

The grader (:mod:`tensorlessons.grading`) never runs a learner's code in its own
process. For each run it

1. copies the submission's files into a fresh staging folder (:func:`safe_copy`:
   regular files only, symlinks never followed, capped in number and bytes);
2. starts ``python -m tensorlessons._sandbox`` (the *runner*) in a sandbox — with
   ``bwrap``: every namespace unshared (no network, its own PID namespace, so nothing
   it starts outlives it), ``--die-with-parent``, a clean environment, the system and
   the Python installation read-only, nothing else of the file system (no other
   submission, no release, no results), a private size-capped ``/tmp`` and working
   folder; and always: limits on memory, file size, time and output;
3. the runner executes the notebook with nbclient in a kernel inside the sandbox and
   prints its report (JSON) on stdout, which the grader reads from a capped file.

Without ``bwrap`` the runner is a plain child process in its own session with the same
limits, clean environment and private temporary folder — but the learner's code can
read and write whatever the grader's user can: :func:`sandbox_kind` says which is used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Limits", "safe_copy", "sandbox_kind", "run_sandboxed"]


@dataclass
class Limits:
    """Caps on one sandboxed run."""

    memory_mb: int = 3072  #: address space per process (RLIMIT_AS)
    file_mb: int = 256  #: largest file a process may write (RLIMIT_FSIZE)
    tmp_mb: int = 512  #: size of the private /tmp and of the working folder (bwrap)
    output_bytes: int = 2_000_000  #: notebook outputs kept (the rest is cut)
    copy_files: int = 2000  #: files copied from a submission
    copy_bytes: int = 200_000_000  #: bytes copied from a submission
    grace: float = 60.0  #: seconds past the notebook's time limit before the kill


# ---------------------------------------------------------------------------------------
# Copying a submission
# ---------------------------------------------------------------------------------------


def safe_copy(
    src: Path,
    dest: Path,
    *,
    skip: tuple[str, ...] = (),
    max_files: int = 2000,
    max_bytes: int = 200_000_000,
) -> list[str]:
    """Copy the regular files and folders under ``src`` into ``dest``; returns problems.

    Symbolic links are never followed (a link is reported and left out, so link loops
    and links out of the submission cost nothing); sockets, devices and pipes are left
    out; copying stops at ``max_files`` files or ``max_bytes`` bytes. Names in ``skip``
    and hidden names are left out at the top level.
    """
    problems: list[str] = []
    count = 0
    total = 0
    stack: list[tuple[Path, Path, int]] = [(src, dest, 0)]
    dest.mkdir(parents=True, exist_ok=True)
    while stack:
        here, there, depth = stack.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"cannot read the folder {here.name!r}: {exc.strerror}")
            continue
        for e in entries:
            if depth == 0 and (e.name in skip or e.name.startswith(".")):
                continue
            rel = os.path.relpath(e.path, src)
            if e.is_symlink():
                problems.append(f"the symbolic link {rel!r} was not followed")
                continue
            if e.is_dir(follow_symlinks=False):
                if depth >= 20:
                    problems.append(f"{rel!r} is nested too deep; not copied")
                    continue
                (there / e.name).mkdir(exist_ok=True)
                stack.append((Path(e.path), there / e.name, depth + 1))
                continue
            if not e.is_file(follow_symlinks=False):
                problems.append(f"{rel!r} is not a regular file; not copied")
                continue
            size = e.stat(follow_symlinks=False).st_size
            if count + 1 > max_files or total + size > max_bytes:
                problems.append(
                    f"the submission has more than {max_files} files or {max_bytes // 1_000_000} MB;"
                    f" {rel!r} and what follows were not copied"
                )
                return problems
            try:
                fd = os.open(e.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError:
                problems.append(f"cannot read {rel!r}")
                continue
            with os.fdopen(fd, "rb") as fin, open(there / e.name, "wb") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
            count += 1
            total += size
    return problems


# ---------------------------------------------------------------------------------------
# The sandbox
# ---------------------------------------------------------------------------------------

_BWRAP: dict[str, Any] = {}


def _bwrap() -> str | None:
    """The bwrap executable, if it is there and can make a sandbox on this machine."""
    if "path" not in _BWRAP:
        exe = shutil.which("bwrap")
        ok = None
        if exe:
            try:
                run = subprocess.run(
                    [exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                    capture_output=True,
                    timeout=30,
                )
                ok = exe if run.returncode == 0 else None
            except (OSError, subprocess.SubprocessError):
                ok = None
        _BWRAP["path"] = ok
    return _BWRAP["path"]


def sandbox_kind(requested: str = "auto") -> str:
    """``"bwrap"`` or ``"none"``: what :func:`run_sandboxed` will use.

    ``requested`` is ``"auto"`` (bwrap when it works here), ``"bwrap"`` (an error
    without it) or ``"none"``.

    >>> sandbox_kind("none")
    'none'
    """
    if requested == "none":
        return "none"
    if _bwrap():
        return "bwrap"
    if requested == "bwrap":
        from .grading import GradingError

        raise GradingError(
            "grade --sandbox bwrap: bubblewrap ('bwrap') is not installed or cannot create "
            "a sandbox here (Debian/Ubuntu: apt-get install bubblewrap)"
        )
    return "none"


def _python_dirs() -> list[str]:
    """Folders the runner and kernel need to read: the Python installation and the
    package itself (not the folder around it: a checkout holds the course's solutions)."""
    import tensorlessons

    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(sys.executable).parent)}
    for p in sys.path:
        if p and os.path.isdir(p) and ("site-packages" in p or "dist-packages" in p):
            dirs.add(p)
        elif p and os.path.isdir(p) and p.startswith((sys.base_prefix, sys.prefix)):
            dirs.add(p)
    dirs.add(str(Path(tensorlessons.__file__).resolve().parent))
    real = {os.path.realpath(d) for d in dirs} | dirs
    return sorted(d for d in real if os.path.isdir(d) and d != "/")


_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def _clean_env(home: str, tmp: str) -> dict[str, str]:
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{tmp}/mpl",
        "IPYTHONDIR": f"{tmp}/ipython",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _bwrap_command(exe: str, staging: str, limits: Limits) -> list[str]:
    cmd = [exe, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for k, v in _clean_env("/tmp/home", "/tmp").items():
        cmd += ["--setenv", k, v]
    for d in _SYSTEM:
        if os.path.exists(d):
            cmd += ["--ro-bind", d, d]
    for secret in ("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh"):
        if os.path.exists(secret):  # the system's secrets stay out of sight
            cmd += (
                ["--tmpfs", secret] if os.path.isdir(secret) else ["--ro-bind", "/dev/null", secret]
            )
    for d in _python_dirs():
        cmd += ["--ro-bind", d, d]
    size = str(limits.tmp_mb * 1024 * 1024)
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/submission"]
    cmd += ["--ro-bind", staging, "/staging", "--chdir", "/submission"]
    cmd += [sys.executable, "-I", "-m", "tensorlessons._sandbox"]
    return cmd


def _limit(limits: Limits) -> Any:
    def apply() -> None:
        import resource

        mem = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        fsize = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_sandboxed(
    spec: dict[str, Any],
    staging: Path,
    *,
    kind: str,
    limits: Limits,
    timeout: float,
) -> dict[str, Any]:
    """Run the runner on ``spec`` with the files of ``staging``; returns its report,
    or ``{"error": why}`` when it crashed, was killed or printed no valid report."""
    with tempfile.TemporaryDirectory(prefix="tl-run-") as tmp:
        out_path = Path(tmp) / "report.json"
        spec = dict(spec, limits=limits.__dict__)
        if kind == "bwrap":
            exe = _bwrap()
            assert exe is not None
            cmd = _bwrap_command(exe, str(staging), limits)
            spec.update(staging="/staging", workdir="/submission", tmp="/tmp")
            cwd = None
            env = _clean_env("/tmp/home", "/tmp")
        else:
            work, priv = Path(tmp) / "work", Path(tmp) / "tmp"
            work.mkdir()
            priv.mkdir()
            spec.update(staging=str(staging), workdir=str(work), tmp=str(priv))
            cmd = [sys.executable, "-I", "-m", "tensorlessons._sandbox"]
            cwd = str(work)
            env = _clean_env(str(priv / "home"), str(priv))
        t0 = time.monotonic()
        with open(out_path, "wb") as out, open(Path(tmp) / "stderr", "wb") as err:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env=env,
                preexec_fn=_limit(limits),  # noqa: PLW1509 - limits before exec, by design
                start_new_session=True,
            )
            why = ""
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(spec).encode())
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=timeout + limits.grace)
            except subprocess.TimeoutExpired:
                why = f"killed after {time.monotonic() - t0:.0f} s (the time limit)"
            finally:
                try:  # everything left in its session (bwrap's namespace dies with it)
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
        if why:
            return {"error": why}
        size = out_path.stat().st_size
        if size > limits.file_mb * 1024 * 1024:
            return {"error": "the runner's report is too large"}
        try:
            with open(out_path, encoding="utf-8") as f:
                report = json.load(f)
            if not isinstance(report, dict) or "outcomes" not in report:
                raise ValueError("no outcomes")
        except (ValueError, UnicodeDecodeError):
            code = proc.returncode
            what = f"signal {-code}" if code and code < 0 else f"exit status {code}"
            tail = (Path(tmp) / "stderr").read_bytes()[-300:].decode("utf-8", "replace")
            last = tail.strip().splitlines()[-1] if tail.strip() else ""
            return {"error": f"the grading process crashed ({what}) {last}".strip()}
        return report


# ---------------------------------------------------------------------------------------
# The runner (inside the sandbox)
# ---------------------------------------------------------------------------------------


def _runner() -> int:
    spec = json.loads(sys.stdin.read())
    sys.stdin.close()
    # nbformat imports jsonschema, which builds the grammar of an optional URI-format
    # checker at import (seconds per run); the runner never validates URIs.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import nbformat

    from . import grading as g

    limits = Limits(**spec["limits"])
    work, tmp = Path(spec["workdir"]), Path(spec["tmp"])
    for sub in ("home", "mpl", "ipython", "jupyter"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    safe_copy(Path(spec["staging"]), work, max_files=10**6, max_bytes=10**12)
    nb = nbformat.from_dict(spec["notebook"])
    private = Path(tempfile.mkdtemp(prefix=".tl-", dir=tmp))
    answers = spec.get("answers") or {}
    if answers:
        (work / g.ANSWERS_DIR).mkdir(exist_ok=True)
        for name, text in answers.items():
            (work / g.ANSWERS_DIR / Path(name).name).write_text(text, encoding="utf-8")
    values_path = private / "values.json"
    values_path.write_text(json.dumps(spec.get("values") or {}), encoding="utf-8")
    report_paths: dict[int, str] = {}
    code = None
    mode = spec["mode"]
    captures = {int(k): v for k, v in (spec.get("capture") or {}).items()}
    injects = {int(k): v for k, v in (spec.get("inject") or {}).items()}

    answered: dict[int, bool] = {}

    def hidden(client: Any, action: str, arg: dict[str, Any]) -> bool:
        nonlocal code
        if code is None:
            from ._kernel_side import kernel_code

            code = kernel_code()
        return g._run_hidden(
            client, f"{code}\n__tl_grader({action!r}, {arg!r})", wrap={"__name__": "tl_grader"}
        )

    def before(client: Any, index: int, cell: Any) -> None:
        if index == -1:
            hidden(client, "snapshot", {})
        elif mode == "learner" and index in captures:
            path = str(private / f"report-{index}.json")
            report_paths[index] = path
            answered[index] = hidden(client, "report", {"names": captures[index], "path": path})
        elif mode == "check" and index in injects:
            hidden(client, "inject", {"path": str(values_path), "key": injects[index]})

    outcomes = g.run_notebook(
        nb,
        work,
        cell_timeout=spec["cell_timeout"],
        notebook_timeout=spec["notebook_timeout"],
        before_cell=before,
        max_output=limits.output_bytes,
    )
    reports: dict[str, Any] = {}
    for index, path in report_paths.items():
        try:
            with open(path, encoding="utf-8") as f:
                reports[str(index)] = json.load(f)
        except (OSError, ValueError):
            # no report: tampering if the kernel answered, else it was busy or dead
            reports[str(index)] = None if answered.get(index) else "no answer"
    saved: dict[str, str] = {}
    folder = work / g.ANSWERS_DIR
    if mode == "learner" and folder.is_dir() and not folder.is_symlink():
        budget = 20_000_000
        for p in sorted(folder.glob("*.json"))[:500]:
            if p.is_symlink() or not p.is_file():
                continue
            size = p.stat().st_size
            if size > budget:
                break
            budget -= size
            saved[p.name] = p.read_text(encoding="utf-8", errors="replace")
    json.dump(
        {
            "outcomes": {str(k): v.__dict__ for k, v in outcomes.items()},
            "notebook": nb,
            "reports": reports,
            "answers": saved,
        },
        sys.stdout,
    )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover - runs in the sandbox
    sys.exit(_runner())

"""`kqlhunt rules update`: get or refresh a clone of the Azure-Sentinel repository with git."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

DEFAULT_REPO = "https://github.com/Azure/Azure-Sentinel.git"
DEFAULT_DEST = Path(os.environ.get("KQLHUNT_HOME", Path.home() / ".kqlhunt")) / "Azure-Sentinel"


class UpdateError(Exception):
    pass


def _git(*args, cwd=None) -> str:
    if shutil.which("git") is None:
        raise UpdateError("git is not installed")
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        msg = (proc.stderr or proc.stdout).strip().splitlines()
        raise UpdateError(f"git {args[0]} failed: {msg[-1] if msg else 'exit ' + str(proc.returncode)}")
    return proc.stdout.strip()


def update(dest: str | Path = DEFAULT_DEST, repo: str = DEFAULT_REPO) -> tuple[str, str]:
    """Clone `repo` into `dest` (shallow), or pull it if `dest` is already a clone.
    Returns (action, commit): action is 'cloned' or 'updated'."""
    dest = Path(dest)
    if (dest / ".git").exists():
        _git("-C", str(dest), "pull", "--ff-only", "--quiet")
        action = "updated"
    else:
        if dest.exists() and any(dest.iterdir()):
            raise UpdateError(f"{dest} exists and is not a git clone; choose another --dest")
        dest.parent.mkdir(parents=True, exist_ok=True)
        _git("clone", "--depth", "1", "--quiet", repo, str(dest))
        action = "cloned"
    return action, _git("-C", str(dest), "rev-parse", "HEAD")

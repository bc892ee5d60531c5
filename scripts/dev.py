#!/usr/bin/env python3
"""The project's two commands, for a machine with nothing but Python 3.11.

    python3 scripts/dev.py run     # the app with demo data at http://127.0.0.1:8000
    python3 scripts/dev.py test    # the whole test suite (extra args go to pytest)

and, for CI and the project machine (they need the machine's PostgreSQL):

    python3 scripts/dev.py slow    # API fuzzing per role, then every benchmark (make slow)
    python3 scripts/dev.py bench   # every benchmark, one table (make bench; --write-readme)

Both create .venv and install the pinned packages on first use (again when
pyproject.toml changes), install the system packages the app needs where the
machine allows it (apt-get as root), and say plainly what is missing when it
does not. With no DATABASE_URL an embedded PostgreSQL runs in .data/; with
no CELERY_BROKER_URL Celery runs tasks eagerly in-process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".eldercare-deps"

# What the app needs from the operating system, and how to tell it is there.
SYSTEM_PACKAGES = {
    "fonts-noto-cjk": ("Chinese fonts for PDF statements and screenshots",
                       lambda: any(Path(p).exists() for p in (
                           "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                           "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc"))),
    "libpango-1.0-0": ("text layout for WeasyPrint PDFs",
                       lambda: _has_library("libpango-1.0.so.0")),
    "libpangoft2-1.0-0": ("font rendering for WeasyPrint PDFs",
                          lambda: _has_library("libpangoft2-1.0.so.0")),
}
TEST_PACKAGES = {
    "chromium": ("the browser for browser tests (Playwright cannot download one here)",
                 lambda: Path("/usr/bin/chromium").exists()),
    "poppler-utils": ("pdftotext, to check the text of generated PDFs",
                      lambda: shutil.which("pdftotext") is not None),
}


def say(message: str) -> None:
    print(f"[eldercare] {message}", flush=True)


def _has_library(name: str) -> bool:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return name in out


def ensure_venv() -> None:
    if not PYTHON.exists():
        say("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    meta = tomllib.loads(pyproject.decode())["project"]
    packages = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    say(f"installing {len(packages)} pinned packages into .venv")
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", *packages], check=True)
    STAMP.write_text(digest)


def ensure_dev_env_file() -> None:
    """Give a development checkout a .env with DEBUG=true, so that plain
    'python manage.py ...' works here. Production sets its own environment
    (and never has this file); CI sets its values explicitly."""
    env_file = ROOT / ".env"
    if not env_file.exists() and not os.environ.get("CI"):
        env_file.write_text("# Written by scripts/dev.py for development only.\nDEBUG=true\n")
        say("wrote .env with DEBUG=true for this development checkout")


def ensure_system_packages(wanted: dict) -> list[str]:
    """Install missing Debian packages if possible; return what is still missing."""
    missing = [name for name, (_why, present) in wanted.items() if not present()]
    if not missing:
        return []
    can_install = shutil.which("apt-get") and (os.geteuid() == 0 or shutil.which("sudo"))
    if can_install:
        prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        say(f"installing system packages: {' '.join(missing)}")
        quiet = {"stdout": subprocess.DEVNULL, "env": env}
        result = subprocess.run([*prefix, "apt-get", "install", "-y", "-q", *missing], **quiet)
        if result.returncode != 0:
            subprocess.run([*prefix, "apt-get", "update", "-q"], **quiet)
            subprocess.run([*prefix, "apt-get", "install", "-y", "-q", *missing], **quiet)
    still = [name for name in missing if not wanted[name][1]()]
    for name in still:
        say(f"MISSING system package '{name}': {wanted[name][0]}. "
            f"Install it with: sudo apt-get install {name}")
    return still


def django(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, check=True, env=env)


def run() -> None:
    ensure_venv()
    ensure_dev_env_file()
    ensure_system_packages(SYSTEM_PACKAGES)
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}
    if not env.get("DATABASE_URL"):
        say("no DATABASE_URL: using the embedded PostgreSQL in .data/postgres")
    django("migrate", "--no-input", env=env)
    django("build_demo", env=env)
    say("starting http://127.0.0.1:8000 (Ctrl-C stops it)")
    django("runserver", "127.0.0.1:8000", env=env)


def setup() -> None:
    ensure_venv()
    ensure_dev_env_file()
    ensure_system_packages({**SYSTEM_PACKAGES, **TEST_PACKAGES})


def test(pytest_args: list[str]) -> int:
    setup()
    if not os.environ.get("DATABASE_URL"):
        say("no DATABASE_URL: tests use the embedded PostgreSQL in .data/postgres")
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT)
    return result.returncode


def bench(args: list[str]) -> int:
    setup()
    return subprocess.run([str(PYTHON), "bench/run_all.py", *args], cwd=ROOT).returncode


def slow(args: list[str]) -> int:
    """The checks too slow for the test command: fuzzing, then the benchmarks
    (the load test among them). The browser journeys run in the test command."""
    setup()
    if not os.environ.get("DATABASE_URL"):
        say("no DATABASE_URL: the fuzzing uses the embedded PostgreSQL in .data/postgres")
    fuzz = subprocess.run([str(PYTHON), "-m", "pytest", "-m", "fuzz", "-n", "2",
                           "-p", "no:warnings", "tests/fuzz"], cwd=ROOT).returncode
    benchmarks = bench(args)
    say(f"fuzzing: {'passed' if fuzz == 0 else 'FAILED'}; "
        f"benchmarks: {'ran' if benchmarks == 0 else 'FAILED'}")
    return fuzz or benchmarks


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "run":
        run()
        return 0
    if command == "test":
        return test(argv[2:])
    if command == "bench":
        return bench(argv[2:])
    if command == "slow":
        return slow(argv[2:])
    if command == "setup":
        setup()
        return 0
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Binder can build its image: repo2docker's Python supports every pin in requirements.txt.

Binder builds images with repo2docker. `repo2docker --no-build` runs its environment
detection offline, without a Docker daemon, and prints the Dockerfile it would build; it
writes nothing into the repository. These tests run it on the repository, read the Python
it picks (runtime.txt, else pyproject.toml's requires-python, else its default) and check
that version against the Requires-Python of every pinned package, read from the installed
distributions (which must be the pinned versions).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
PYPROJECT = ROOT / "pyproject.toml"
# Lines of requirements.txt that install the repository itself.
LOCAL_PROJECT = {"-e .", "-e ./", ".", "./"}
PIP_REQUIREMENTS = re.compile(r'^RUN .*\bpip install\b.*\s-r\s+"?requirements\.txt"?\s*$', re.M)
PIP_PROJECT = re.compile(r"^RUN .*\bpip install\b(?:\s+--?[\w-]+)*\s+(?:-e\s+)?\.\s*$", re.M)
REPO_COPY = re.compile(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/\s*$", re.M)


# --- the core check: a function of (Python version, requirements) only ----------------


def requires_python_violations(python: str, requires: Mapping[str, str | None]) -> dict[str, str]:
    """The entries of `requires` (name -> Requires-Python, None when unconstrained) that
    exclude Python `python` (such as "3.11.14"), with their specifiers."""
    version = Version(python)
    return {
        name: spec
        for name, spec in requires.items()
        if spec and not SpecifierSet(spec).contains(version, prereleases=True)
    }


def supported_pythons() -> list[str]:
    """The Pythons repo2docker has a base environment for, e.g. ["3.8", ..., "3.14"]."""
    with warnings.catch_warnings():  # importing repo2docker warns about its JSON logger
        warnings.simplefilter("ignore", DeprecationWarning)
        from repo2docker.buildpacks.conda.supported_python_version import SUPPORTED_PYTHON_VERSION

    return list(SUPPORTED_PYTHON_VERSION)


def violations_message(python: str, source: str, violations: Mapping[str, str]) -> str:
    lines = [f"Binder would run Python {python} ({source}), which these pins do not support:"]
    lines += [f"  {name} requires Python {spec}" for name, spec in sorted(violations.items())]
    requires = pinned_requires_python()
    fits = [v for v in supported_pythons() if not requires_python_violations(v, requires)]
    hint = f"set runtime.txt to python-{fits[0]}" if fits else "no Python repo2docker supports fits them all;"
    lines.append(f"Fix: {hint} (and requires-python in pyproject.toml to match), or change those pins in")
    lines.append("requirements.txt to versions that support this Python.")
    return "\n".join(lines)


# --- what the repository pins, and what the venv holds --------------------------------


def read_requirements(path: pathlib.Path = REQUIREMENTS) -> tuple[dict[str, Version], bool]:
    """The exact pins of a requirements file (name -> version), and whether it installs
    the repository itself (`-e .`)."""
    pins: dict[str, Version] = {}
    local = False
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line:
            continue
        where = f"{path.name}:{number}: {raw.strip()!r}"
        if " ".join(line.split()) in LOCAL_PROJECT:
            local = True
            continue
        if line.startswith("-"):
            pytest.fail(
                f"{where}: this test reads exact pins and `-e .` only; add the option's packages as pins"
            )
        try:
            req = Requirement(line)
        except InvalidRequirement as error:
            pytest.fail(f"{where}: {error}")
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            pytest.fail(f"{where}: pin an exact version (name==version), as the rest of the file does")
        pins[req.name] = Version(specs[0].version)
    return pins, local


def project_requires_python() -> str:
    return tomllib.loads(PYPROJECT.read_text())["project"]["requires-python"]


def pinned_requires_python() -> dict[str, str | None]:
    """Requires-Python of every pin (as `name==version`), from the installed distributions,
    and convbook's own from pyproject.toml."""
    pins, _ = read_requirements()
    requires: dict[str, str | None] = {}
    for name, pinned in pins.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            pytest.fail(
                f"{name}=={pinned} is pinned in requirements.txt but not installed: run `make .venv/.installed`"
            )
        installed = Version(dist.version)
        assert installed == pinned, (
            f"requirements.txt pins {name}=={pinned} but {installed} is installed, so its Requires-Python "
            f"cannot be checked: reinstall the venv (`make .venv/.installed`)"
        )
        requires[f"{name}=={pinned}"] = dist.metadata["Requires-Python"]
    requires["convbook (pyproject.toml requires-python)"] = project_requires_python()
    return requires


# --- repo2docker's detection ------------------------------------------------------------


@dataclass
class Binder:
    python: str  # the Python of repo2docker's frozen base environment, e.g. "3.11.14"
    minor: str  # the version it was asked for, e.g. "3.11"
    pinned: bool  # False when repo2docker fell back to a default ("Python version unspecified")
    dockerfile: str
    log: str


def repo2docker(repo: pathlib.Path, cwd: pathlib.Path, *, check: bool = True) -> Binder | str:
    """Run `repo2docker --no-build --debug repo` (offline, no Docker daemon needed).

    Returns what it detected, or (with check=False) its log when it refuses the repository.
    `cwd` is an empty folder, so that no repo2docker_config.py is picked up from elsewhere.
    """
    if not shutil.which("jupyter-repo2docker", path=str(pathlib.Path(sys.executable).parent)):
        pytest.fail("repo2docker is not in the venv: `.venv/bin/pip install -r requirements-dev.txt`")
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(repo)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    log = result.stderr
    if result.returncode != 0:
        if not check:
            return log
        hint = ""
        if "runtime.txt version not supported by pyproject.toml" in log:
            hint = (
                f"runtime.txt ({(repo / 'runtime.txt').read_text().strip()}) is outside pyproject.toml's "
                f"requires-python ({project_requires_python()}): make them agree.\n"
            )
        tail = "\n".join(log.strip().splitlines()[-6:])
        pytest.fail(f"{hint}repo2docker refused the repository (exit {result.returncode}):\n{tail}")

    asked = re.search(r"Building conda environment for python=(\d+\.\d+)", log)
    assert asked, f"repo2docker's log no longer says which Python it picks:\n{log[-3000:]}"
    minor = asked.group(1)
    fallback = re.search(
        r"Python version unspecified, using (?:current default )?Python version (\d+\.\d+)", log
    )
    assert not fallback or fallback.group(1) == minor, log

    python = minor
    dockerfile = result.stdout
    # The Dockerfile copies repo2docker's frozen base environment for that Python; its
    # conda lock file names the exact Python release Binder installs.
    import escapism

    for line in dockerfile.splitlines():
        if line.startswith("COPY") and line.endswith(" /tmp/env/environment.lock"):
            slug = pathlib.PurePosixPath(line.split()[-2]).name
            lock = pathlib.Path(escapism.unescape(slug.rsplit("-", 1)[0], escape_char="-"))
            assert lock.name.startswith(f"environment.py-{minor}-"), line
            if lock.is_file():
                release = re.search(r"/python-(\d+\.\d+\.\d+)-[^/]*\.conda", lock.read_text())
                if release and release.group(1).startswith(f"{minor}."):
                    python = release.group(1)
    return Binder(python=python, minor=minor, pinned=fallback is None, dockerfile=dockerfile, log=log)


@pytest.fixture(scope="module")
def binder(tmp_path_factory) -> Binder:
    return repo2docker(ROOT, tmp_path_factory.mktemp("cwd"))


# --- the checks -------------------------------------------------------------------------


def test_binder_python_is_pinned(binder):
    runtime = ROOT / "runtime.txt"
    assert binder.pinned, (
        f"repo2docker picked Python {binder.minor} by default, not from a pin: "
        f"add runtime.txt with a line such as python-3.11 (it is {runtime.read_text().strip() if runtime.exists() else 'missing'})"
    )


def test_binder_python_supports_every_pin(binder):
    violations = requires_python_violations(binder.python, pinned_requires_python())
    source = "from runtime.txt" if binder.pinned else "repo2docker's default: there is no runtime.txt"
    assert not violations, violations_message(binder.python, source, violations)


def test_binder_installs_the_requirements_and_convbook(binder):
    dockerfile = binder.dockerfile
    requirements = PIP_REQUIREMENTS.search(dockerfile)
    assert requirements, (
        "repo2docker's Dockerfile does not `pip install -r requirements.txt`: is an environment.yml, "
        f"Pipfile or binder/ folder taking precedence?\n{dockerfile[-3000:]}"
    )
    _, local = read_requirements()
    if local:  # `-e .` needs the whole repository copied before pip reads requirements.txt
        copy = REPO_COPY.search(dockerfile)
        assert copy and copy.start() < requirements.start(), (
            "requirements.txt has `-e .` but the Dockerfile installs it before copying the repository"
        )
    assert local or PIP_PROJECT.search(dockerfile), (
        "Binder's image does not install convbook: add `-e .` to requirements.txt"
    )


def test_requires_python_is_not_looser_than_the_pins():
    # repo2docker falls back to the newest Python requires-python admits, and pip trusts it.
    requires = pinned_requires_python()
    project = SpecifierSet(project_requires_python())
    too_loose = {}
    for version in supported_pythons():
        excluded = sorted(requires_python_violations(version, requires))
        if Version(version) in project and excluded:
            too_loose[version] = excluded
    fits = [v for v in supported_pythons() if not requires_python_violations(v, requires)]
    fix = f"set it to '>={fits[0]}'" if fits else "no Python repo2docker supports fits every pin"
    assert not too_loose, (
        f"pyproject.toml's requires-python ({project}) admits Pythons the pins do not support: {too_loose}; {fix}"
    )


def test_python_310_is_reported_against_numpy():
    # The check itself, on fixed data: numpy 2.4 dropped Python 3.10.
    requires = {"numpy==2.4.6": ">=3.11", "sympy==1.14.0": ">=3.9", "ipywidgets==8.1.9": None}
    assert requires_python_violations("3.10", requires) == {"numpy==2.4.6": ">=3.11"}
    assert requires_python_violations("3.11.14", requires) == {}
    # And on the real pins: Python 3.10, the pre-runtime.txt default, cannot install numpy.
    assert "numpy" in {
        name.split("==")[0] for name in requires_python_violations("3.10.19", pinned_requires_python())
    }


def test_runtime_310_would_break_binder(tmp_path):
    """A copy of the repository's environment files with runtime.txt set to python-3.10."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REQUIREMENTS, repo)
    (repo / "runtime.txt").write_text("python-3.10\n")
    cwd = tmp_path / "cwd"
    cwd.mkdir()

    # With requires-python >= 3.11, repo2docker itself refuses the contradiction.
    shutil.copy(PYPROJECT, repo)
    if Version("3.10") not in SpecifierSet(project_requires_python()):
        log = repo2docker(repo, cwd, check=False)
        assert isinstance(log, str) and "runtime.txt version not supported by pyproject.toml" in log

    # With the old requires-python (>=3.10) it builds 3.10, and the check names numpy.
    pyproject = re.sub(r"(?m)^requires-python = .*$", 'requires-python = ">=3.10"', PYPROJECT.read_text())
    (repo / "pyproject.toml").write_text(pyproject)
    binder = repo2docker(repo, cwd)
    assert binder.minor == "3.10" and binder.pinned
    violations = requires_python_violations(binder.python, pinned_requires_python())
    assert "numpy" in {name.split("==")[0] for name in violations}
    assert "set runtime.txt to python-3.11" in violations_message(binder.python, "runtime.txt", violations)

"""Load and validate rule files; every problem becomes a one-line ``ConfigError``."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, Location
from ..inputs import BUILTIN, InputFile, RoutineSource, file_digest
from .messages import config_problems
from .schema import Routine, RuleSet
from .team import OLD_FORMS, Team, TeamFile
from .yaml_source import YamlDocument, read_yaml

Model = TypeVar("Model", bound=BaseModel)

SCHEMAS: dict[str, type[BaseModel]] = {"routine": Routine, "rules": RuleSet, "team": TeamFile}
SUPPORTED_VERSIONS = {"routine": (1,), "rules": (1,), "team": (1,)}
DEFAULT_RULES = "default_rules.yaml"
STARTER_ROUTINE = "starter_routine.yaml"


def package_data(name: str) -> Path:
    """A file shipped in ``routine_audit/data`` (works from a wheel too)."""
    return Path(str(resources.files("routine_audit") / "data" / name))


def load_routine(path: str | Path) -> Routine:
    """Read a routine file (following ``extends:``) and validate it.

    The routine remembers where it came from (its path and digest, see
    ``routine_audit.inputs``) and the rules file it names, for ``rules_for``.
    """
    document = read_yaml(Path(path))
    chain: list[YamlDocument] = []
    data = _merge_extends(document, seen=(), chain=chain)
    routine = _validate(document, data, Routine, expected_kind="routine")
    return routine.read_from(_routine_source(chain))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read classification rules; the shipped defaults when ``path`` is None."""
    file = Path(path) if path is not None else package_data(DEFAULT_RULES)
    document = read_yaml(file)
    rules = _validate(document, document.data, RuleSet, expected_kind="rules")
    return rules.read_from(InputFile(BUILTIN if path is None else str(path), file_digest([file])))


def rules_path_for(
    routine: Routine, override: str | Path | None = None, fallback: str | Path | None = None
) -> Path | None:
    """The rules file to audit ``routine`` with; None for the shipped defaults.

    Precedence: ``override`` (``--rules``) > the routine's ``rules:`` (relative to
    the file that names it) > ``fallback`` (a team file's ``rules:``) > the defaults.
    """
    if override is not None:
        return Path(override)
    source = routine.origin
    if isinstance(source, RoutineSource):
        if source.rules is not None and not source.rules.exists():
            raise ConfigError(
                f"the rules file {source.rules} does not exist",
                where=source.rules_where,
                hint="paths are relative to the file that names them",
            )
        named = source.rules
    else:  # a routine built in Python: its rules: is relative to the working directory
        named = Path(routine.rules) if routine.rules else None
    if named is not None:
        return named
    return Path(fallback) if fallback is not None else None


def rules_for(
    routine: Routine, override: str | Path | None = None, *, fallback: str | Path | None = None
) -> RuleSet:
    """The classification rules to audit ``routine`` with (see ``rules_path_for``)."""
    return load_rules(rules_path_for(routine, override, fallback))


def check_file(path: str | Path) -> BaseModel | Team:
    """Validate any rule file, choosing the schema by its ``kind:``.

    A team file is also checked for the files it names (routines, rules,
    calendars, keys); nothing is fetched from the network. A problem of one rep's
    files does not raise: it is in the team's ``problems`` (see ``load_team``).
    """
    document = read_yaml(Path(path))
    kind = _kind_of(document)
    if kind == "routine":
        routine = load_routine(path)
        if rules_path_for(routine) is not None:
            rules_for(routine)  # the rules file it names exists and is valid
        return routine
    if kind == "team":
        return load_team(path)
    return _validate(document, document.data, SCHEMAS[kind], kind)


def load_team(path: str | Path) -> Team:
    """Read and validate a team file, its routines and rules, and the files it names.

    A problem of the team as a whole (the file itself, its default routine, its rules,
    its Google key) raises ``ConfigError``. A problem of one rep (their calendar file,
    their routine or the rules it names is missing or invalid) does not: it is kept in
    ``team.problems`` under the rep's email. ``rules check`` reports each as an error;
    a team run fails that rep with it and audits the others.
    """
    document = read_yaml(Path(path))
    spec = _validate(document, document.data, TeamFile, "team")
    team = Team(Path(path).resolve(), spec, read_routine=load_routine)

    def must_exist(value: str | None, key: tuple[str | int, ...], what: str) -> None:
        if value is None or "://" in value:
            return
        if not team.resolve(value).exists():
            raise ConfigError(
                f"{what} {value} does not exist",
                where=document.where(key),
                hint="paths are relative to the team file's folder",
            )

    must_exist(spec.routine, ("routine",), "the routine")
    must_exist(spec.rules, ("rules",), "the rules file")
    must_exist(spec.google.service_account, ("google", "service_account"), "the key")
    must_exist(spec.microsoft.certificate, ("microsoft", "certificate"), "the certificate")
    if spec.microsoft.certificate:
        _certificate_shape(team.resolve(spec.microsoft.certificate),
                           document.where(("microsoft", "certificate")))  # fmt: skip
    if spec.rules:
        load_rules(team.rules_path)
    if spec.routine:  # the team's default is the team's problem, not one rep's
        default = load_routine(team.resolve(spec.routine))
        if rules_path_for(default) is not None:
            rules_for(default)
    rules_of: dict[str, Path] = {}
    for index, member in enumerate(spec.reps):
        try:
            must_exist(member.routine, ("reps", index, "routine"), "the routine")
            entry = member.calendar
            for field, value, what in entry.source_class.local_files(entry.settings):
                short = OLD_FORMS.get(entry.old_form or "")  # the key the file wrote
                written = entry.old_form if short and short[1] == field else field
                must_exist(value, ("reps", index, "calendar", str(written)), what)
            # the routine is valid, belongs to its rep, and the rules file it names exists
            named = rules_path_for(team.member_routine(member))
        except ConfigError as exc:
            team.problems[member.email] = exc
            continue
        if named is not None:
            rules_of[member.email] = named
    valid: dict[Path, ConfigError | None] = {}
    for email, rules in rules_of.items():
        if rules not in valid:
            try:
                load_rules(rules)
                valid[rules] = None
            except ConfigError as exc:
                valid[rules] = exc
        if valid[rules] is not None:
            team.problems[email] = valid[rules]
    return team


# what a team's app certificate file must hold (PEM), or be (PKCS#12): a first look, so a
# wrong file fails the run as a whole; the key and its certificate are parsed when used
_PEM_BLOCKS = (b"PRIVATE KEY-----", b"-----BEGIN CERTIFICATE-----")
_PKCS12 = (".pfx", ".p12")


def _certificate_shape(path: Path, where: Location) -> None:
    """A ConfigError unless ``path`` reads as a key with its certificate (or a .pfx)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the certificate {path}: {exc.strerror or type(exc).__name__}",
            where=where,
            hint="let the user who runs routine-audit read it (chmod 600, owned by that user)",
        ) from None
    if path.suffix.lower() in _PKCS12 or all(block in data for block in _PEM_BLOCKS):
        return
    raise ConfigError(
        f"the certificate {path} is not a PEM file holding a private key and its certificate",
        where=where,
        hint="put both in one file: cat app.key app.crt > app.pem (see docs/microsoft.md)",
    )


def unassigned_activities(routine: Routine, rules: RuleSet) -> list[str]:
    """Warnings for commitments whose activity no rule assigns (usually a typo)."""
    assigned = {rule.activity for rule in rules.rules}
    return [
        f"commitment {c.id!r} counts activity {c.activity!r}, which no classification "
        f"rule assigns; its time will always be 0"
        for c in routine.commitments
        if c.activity not in assigned
    ]


def init_rules(folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the starter routine and the default rules into ``folder`` for editing."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError("is a file, not a folder", where=Location(target)) from None
    routine, rules = target / "routine.yaml", target / "rules.yaml"
    for destination in (routine, rules):
        if destination.exists() and not overwrite:
            raise ConfigError(
                "already exists; not overwritten",
                where=Location(destination),
                hint="choose another folder or pass `overwrite`",
                names=("overwrite",),
            )
    # the routine names the rules beside it, so edits to them are what its audits use
    starter = package_data(STARTER_ROUTINE).read_text(encoding="utf-8")
    head, marker, rest = starter.partition("\nversion: 1\n")
    assert marker, "the starter routine has a version: 1 line"
    routine.write_text(f"{head}{marker}{_RULES_LINE}{rest}", encoding="utf-8")
    shutil.copyfile(package_data(DEFAULT_RULES), rules)
    return [routine, rules]


_RULES_LINE = "rules: rules.yaml                 # classification rules, beside this file\n"


def _kind_of(document: YamlDocument) -> str:
    data = document.data
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with kind: and version: at the top",
            where=document.where(()),
        )
    kind = data.get("kind")
    if kind not in SCHEMAS:
        known = ", ".join(SCHEMAS)
        raise ConfigError(
            f"kind {kind!r} is not a rule file kind",
            where=document.where(("kind",)),
            hint=f"set kind: to one of {known}",
        )
    return str(kind)


def _validate(document: YamlDocument, data: Any, model: type[Model], expected_kind: str) -> Model:
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with kind: and version: at the top", where=document.where(())
        )
    kind = data.get("kind", expected_kind)
    if kind != expected_kind:
        raise ConfigError(
            f"this is a {kind!r} file, expected kind: {expected_kind}",
            where=document.where(("kind",)),
        )
    version = data.get("version", 1)
    if version not in SUPPORTED_VERSIONS[expected_kind]:
        raise ConfigError(
            f"version {version!r} is not supported by this routine-audit",
            where=document.where(("version",)),
            hint=f"supported: {SUPPORTED_VERSIONS[expected_kind]}; upgrade routine-audit",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_problems(document, exc) from None


def _routine_source(chain: list[YamlDocument]) -> RoutineSource:
    """The routine's path, the digest of its chain, and the rules file the nearest
    file of the chain that has ``rules:`` names (a child's overrides its base's)."""
    file = InputFile(str(chain[0].path), file_digest(d.path for d in chain))
    for document in chain:
        if isinstance(document.data, dict) and "rules" in document.data:
            value = document.data["rules"]
            if not value:  # rules: null in a child undoes the base's
                break
            named = Path(str(value)).expanduser()
            return RoutineSource(
                file,
                named if named.is_absolute() else document.path.parent / named,
                document.where(("rules",)),
            )
    return RoutineSource(file)


def _merge_extends(document: YamlDocument, seen: Iterable[Path], chain: list[YamlDocument]) -> Any:
    """Merge ``extends: FILE`` (a team default) under this routine, by commitment id;
    ``chain`` collects the documents read, this one first."""
    chain.append(document)
    data = document.data
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base_path = (document.path.parent / str(data["extends"])).resolve()
    if base_path in seen:
        raise ConfigError("forms a loop of files", where=document.where(("extends",)))
    if not base_path.exists():
        raise ConfigError(
            f"{data['extends']} does not exist",
            where=document.where(("extends",)),
            hint="paths are relative to this file's folder",
        )
    base_document = read_yaml(base_path)
    base = _merge_extends(base_document, (*seen, base_path), chain)
    if not isinstance(base, dict):
        raise ConfigError("expected a routine mapping", where=base_document.where(()))
    merged = {**base, **{k: v for k, v in data.items() if k != "extends"}}
    for key in ("commitments", "limits"):
        merged[key] = _merge_by_id(base.get(key) or [], data.get(key) or [])
    return merged


def _merge_by_id(base: list[Any], own: list[Any]) -> list[Any]:
    own_ids = {item.get("id") for item in own if isinstance(item, dict)}
    kept = [item for item in base if not (isinstance(item, dict) and item.get("id") in own_ids)]
    return kept + list(own)

"""Read config/cicero.toml and the environment into one frozen Settings value.

Every problem is collected and reported one line each, naming the key, so an
operator fixes them all in one pass. Nothing here starts anything.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from cicero.config.schema import Config

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "cicero.toml"


class ConfigError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Secret:
    """A value that never prints itself (logs, reprs, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __getstate__(self) -> str:
        return self._value

    def __setstate__(self, state: str) -> None:
        self._value = state


@dataclass(frozen=True)
class Env:
    """Secrets and endpoints: these come from the environment, never from the file."""

    config_path: Path
    data_dir: Path
    database_url: Secret | None = None
    rapidapi_key: Secret | None = None
    rapidapi_key_fallback: Secret | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    smtp_from: str = "cicero@localhost"
    metrics_token: Secret | None = None  # CICERO_METRICS_TOKEN: the `scraper` identity
    whatsapp: str = "simulator"  # simulator | neonize
    whatsapp_proxy: Secret | None = None  # neonize's proxy (socks5://…); may hold a password
    log_format: str = "text"  # text | json
    log_level: str = "INFO"
    secret_key: Secret | None = None  # CICERO_SECRET_KEY, else <data_dir>/secret.key (server_secret)


@dataclass(frozen=True)
class Settings:
    config: Config
    env: Env
    extra_admins: tuple[str, ...] = field(default=())

    @property
    def admin_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.config.admin_numbers, *self.extra_admins)))


def _secret(environ: Mapping[str, str], name: str) -> Secret | None:
    value = environ.get(name, "").strip()
    return Secret(value) if value else None


def read_env(environ: Mapping[str, str]) -> tuple[Env, tuple[str, ...], dict[str, Any], list[str]]:
    problems: list[str] = []
    overrides: dict[str, Any] = {}
    config_path = Path(environ.get("CICERO_CONFIG") or DEFAULT_CONFIG)
    data_dir = Path(environ.get("CICERO_DATA_DIR") or "var").resolve()

    def integer(name: str, default: int) -> int:
        raw = environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            problems.append(f"{name}: {raw!r} is not a whole number")
            return default

    def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = environ.get(name, "").strip().lower() or default
        if raw not in allowed:
            problems.append(f"{name}: {raw!r} is not one of {', '.join(allowed)}")
            return default
        return raw

    if environ.get("CICERO_WEB_HOST", "").strip():
        overrides["web_host"] = environ["CICERO_WEB_HOST"].strip()
    if environ.get("CICERO_WEB_PORT", "").strip():
        overrides["web_port"] = integer("CICERO_WEB_PORT", 8080)
    if environ.get("CICERO_ACTOR_HOST", "").strip():
        overrides["actor_host"] = environ["CICERO_ACTOR_HOST"].strip()
    env = Env(
        config_path=config_path,
        data_dir=data_dir,
        database_url=_secret(environ, "DATABASE_URL"),
        rapidapi_key=_secret(environ, "RAPIDAPI_KEY"),
        rapidapi_key_fallback=_secret(environ, "RAPIDAPI_KEY_FALLBACK"),
        smtp_host=environ.get("SMTP_HOST") or None,
        smtp_port=integer("SMTP_PORT", 587),
        smtp_user=environ.get("SMTP_USER") or None,
        smtp_password=_secret(environ, "SMTP_PASSWORD"),
        smtp_from=environ.get("SMTP_FROM") or "cicero@localhost",
        metrics_token=_secret(environ, "CICERO_METRICS_TOKEN"),
        whatsapp=choice("CICERO_WHATSAPP", "simulator", ("simulator", "neonize")),
        whatsapp_proxy=_secret(environ, "CICERO_WHATSAPP_PROXY"),
        log_format=choice("CICERO_LOG_FORMAT", "text", ("text", "json")),
        log_level=choice("CICERO_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
        secret_key=_secret(environ, "CICERO_SECRET_KEY"),
    )
    if env.whatsapp_proxy is not None:
        proxy = urlsplit(env.whatsapp_proxy.reveal())
        if proxy.scheme not in ("socks5", "http", "https") or not proxy.hostname:
            problems.append(
                "CICERO_WHATSAPP_PROXY: not a proxy URL (socks5://host:port or http://host:port)"
            )
    if env.secret_key is not None and len(env.secret_key.reveal()) < 32:
        problems.append("CICERO_SECRET_KEY: shorter than 32 characters (e.g. `openssl rand -hex 32`)")
    if not 1 <= env.smtp_port <= 65535:
        problems.append(f"SMTP_PORT: {env.smtp_port} is not a port (1-65535)")
    admins = tuple(
        a.strip() for a in environ.get("ADMIN_WHATSAPP", "").replace(";", ",").split(",")
    )
    return env, tuple(a for a in admins if a), overrides, problems


def _where(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def validate(raw: Mapping[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        lines = []
        for e in err.errors():
            message = str(e["msg"]).removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                message = "unknown key"
            lines.append(f"{source}: {_where(tuple(e['loc']))}: {message}")
        raise ConfigError(lines) from None


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `over` into `base` (tables merge, other values replace)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file (set CICERO_CONFIG or restore it)"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a directory, not a TOML file"]) from None
    except PermissionError:
        raise ConfigError([f"{path}: not readable by this user"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError([f"{path}: not valid TOML: {err}"]) from None


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Config file, then overrides (scenario, tests), then environment; ConfigError lists all."""
    environ = os.environ if environ is None else environ
    env, admins, env_overrides, problems = read_env(environ)
    raw: dict[str, Any] = {}
    try:
        raw = read_toml(env.config_path)
    except ConfigError as err:
        problems += err.problems
    raw = merge(raw, overrides or {})
    runtime_keys = ("web_host", "web_port", "actor_host")
    runtime_overrides = {k: v for k, v in env_overrides.items() if k in runtime_keys}
    if runtime_overrides:
        raw = merge(raw, {"runtime": runtime_overrides})
    config = None
    if not problems or raw:
        try:
            config = validate(raw, str(env.config_path))
        except ConfigError as err:
            problems += err.problems
    if problems or config is None:
        raise ConfigError(problems)
    return Settings(config=config, env=env, extra_admins=admins)

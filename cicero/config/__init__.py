"""Configuration: config/cicero.toml plus environment variables, loaded once into frozen values."""

from cicero.config.load import ConfigError, Env, Secret, Settings, load_settings

__all__ = ["ConfigError", "Env", "Secret", "Settings", "load_settings"]

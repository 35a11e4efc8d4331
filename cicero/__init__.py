"""Cicero: social-media attendance monitoring and WhatsApp reporting."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cicero")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+local"

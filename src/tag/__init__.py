"""TAG: text-to-audio generation as a service."""

__version__ = "0.1.0"

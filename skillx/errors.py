"""Every user-facing error of skillx, in one place.

Each message says what went wrong and how to fix it. Raise these instead of letting an
exception from a dependency (pandas, rdflib, torch) reach the user.
"""

from __future__ import annotations


class SkillxError(Exception):
    """Base class of every error skillx raises on purpose."""


class TaxonomyError(SkillxError):
    """A taxonomy could not be found, read or validated."""


class TaxonomyNotFoundError(TaxonomyError, FileNotFoundError):
    """No taxonomy files at the place the user pointed to."""


class ChecksumMismatchError(TaxonomyError):
    """A downloaded or supplied ESCO archive does not match the published checksum."""


class UnverifiedDownloadError(TaxonomyError):
    """A download that skillx cannot verify (no recorded sha256, foreign redirect, too large)."""


class UnknownVersionError(TaxonomyError, ValueError):
    """An ESCO version or language that the manifest does not know."""


class MissingExtraError(SkillxError, ImportError):
    """A step needs packages of an optional extra (e.g. ``skillx[train]``) that are not installed."""


def require_extra(extra: str, *packages: str) -> None:
    """Raise `MissingExtraError` naming ``pip install 'skillx[extra]'`` if a package is missing.

    Args:
        extra: The extra of skillx that installs the packages (e.g. ``"train"``).
        packages: Importable module names (e.g. ``"datasets"``, ``"accelerate"``).
    """
    import importlib.util

    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; this step needs "
            f"them. Install them with: pip install 'skillx[{extra}]'"
        )


class NotFittedError(SkillxError, ValueError):
    """A trainable object was used before `fit()`."""


class ModelError(SkillxError):
    """A model directory is missing or is not a sentence-transformers / skillx model."""


class InputError(SkillxError, ValueError):
    """Input text, a corpus or a benchmark file that skillx cannot use."""


class InputTypeError(InputError, TypeError):
    """An input of the wrong type (e.g. None or bytes where a str is needed)."""


class SkillIndexError(SkillxError):
    """A saved skill index is missing, unreadable, or does not fit the taxonomy/model asked for."""


class StaleIndexError(SkillIndexError):
    """A saved skill index was built from another model, taxonomy or skill-text mode."""


class CorpusWarning(UserWarning):
    """A corpus line was skipped (undecodable, binary, corrupt JSON, too long); names the line."""


class TaxonomyWarning(UserWarning):
    """A taxonomy was read, but some concepts were skipped or look wrong; names the concepts."""


class TaxonomyMismatchWarning(TaxonomyWarning):
    """A model is used with another taxonomy than the one it was trained against; names both."""


class UnknownNameError(SkillxError, KeyError):
    """A name looked up in a registry that does not hold it."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def missing_file(what: str, path: object, fix: str) -> TaxonomyNotFoundError:
    return TaxonomyNotFoundError(f"{what} not found at '{path}'. {fix}")


def unknown_name(kind: str, name: str, known: list[str] | tuple[str, ...]) -> UnknownNameError:
    options = ", ".join(sorted(known)) or "(none registered)"
    return UnknownNameError(f"Unknown {kind} '{name}'. Available: {options}")


def unknown_version(version: str, known: list[str] | tuple[str, ...]) -> UnknownVersionError:
    return UnknownVersionError(
        f"Unknown ESCO version '{version}'. Available: {', '.join(sorted(known))}. "
        "Pass one of these as `esco_version=` (`--esco-version` on the command line), or pass a path "
        "to the ESCO files you downloaded."
    )


def not_fitted(obj: object) -> NotFittedError:
    name = type(obj).__name__
    return NotFittedError(
        f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments "
        "before using this object."
    )

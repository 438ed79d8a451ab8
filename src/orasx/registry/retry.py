"""The retry policy now lives in :mod:`orasx.retry` (the copy engine uses it too); kept here for
imports of ``orasx.registry.retry``."""

from orasx.retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after

__all__ = ["RETRYABLE_STATUS", "RetryPolicy", "parse_retry_after"]

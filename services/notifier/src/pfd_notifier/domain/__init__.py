"""The notifier's pure core: the rule table, preference resolution, signing, backoff, templates, digest timing.

No web, broker or database framework is imported here (import-linter contract).
"""

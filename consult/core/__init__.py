"""Shared mechanisms: database base, permissions, errors, pagination, mail, time, security headers."""

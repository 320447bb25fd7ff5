"""Celery entry points: `celery -A workers.celery_app worker -Q default,mail` and `... beat`."""

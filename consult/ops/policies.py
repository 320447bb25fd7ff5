"""Who may see failed tasks and send them again: platform administrators."""

from consult.core.permissions import rule


@rule("jobs.manage")
def _manage_jobs(user, _obj) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)

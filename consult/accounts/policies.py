"""Who may do what with accounts and roles."""

from consult.core.permissions import rule


@rule("admin.access")
def _admin(user, _obj) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


@rule("users.manage")
def _manage_users(user, _obj) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)

from consult.core.permissions import rule


@rule("territories.manage")
def _manage(user, _obj) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)

"""Who may see and change territories and establishments."""

from consult.core.permissions import rule


@rule("territories.manage")
def _manage(user, _obj) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


@rule("territories.view")
def _view(_user, _obj) -> bool:
    # Which establishment serves which territory is public information, visitors included.
    return True

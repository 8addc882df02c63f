"""The hub's login: NativeAuthenticator with a safe first administrator and reserved names.

NativeAuthenticator (usernames and bcrypt-hashed passwords in the hub's database; an administrator
approves each sign-up) leaves two doors open that a college must not have:

* **Whoever signs up first with the administrator's name becomes the administrator** (it
  pre-approves any sign-up whose name is in ``admin_users``). Here the hub command creates each
  administrator itself, on the hub's first start, with a random password written to a file only root
  can read (``<state>/hub/first-password-<name>``). Their names are then taken, so nobody can sign up
  as them. Every other sign-up waits for approval.
* **Any name may be signed up**, including ``root``, a course's grader account (``grader-<course>``)
  and the Unix accounts of the machine, whose servers would then run as that account. Here such
  names are refused at sign-up with a message that says why, and refused at login.

Used by ``jupyterhub_config.py`` as ``c.JupyterHub.authenticator_class``.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
from pathlib import Path

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import SignUpHandler
from nativeauthenticator.orm import UserInfo
from traitlets import Int, List, Unicode

#: Names of accounts a trainee may never take, whatever the machine has.
RESERVED = ("root", "admin", "administrator", "nobody", "jupyterhub", "hub")
#: Prefixes of the accounts the hub makes for itself (the course's grader).
RESERVED_PREFIXES = ("grader-",)


def reserved_reason(name: str, *, hub_comment: str = "qikit hub", first_uid: int = 1000,
                    allowed: frozenset[str] = frozenset()) -> str | None:
    """Why ``name`` may not be a trainee's username, or None if it may.

    Parameters
    ----------
    name : str
        The (normalised) username asked for.
    hub_comment : str
        The start of the comment (GECOS) field the hub writes on the accounts it creates: an existing
        Unix account with this comment was made by the hub for a trainee and may be used again.
    first_uid : int
        Accounts below this uid are the system's own.
    allowed : frozenset of str
        Names root listed when starting the hub (administrators, instructors): accepted even if a
        Unix account of that name already exists, because root chose them.

    Examples
    --------
    >>> reserved_reason("grader-qikit")
    "'grader-qikit' is kept for a course's grading account. Choose another username."
    >>> reserved_reason("root")
    "'root' is kept for the system. Choose another username."
    """
    if name in RESERVED:
        return f"{name!r} is kept for the system. Choose another username."
    if name.startswith(RESERVED_PREFIXES):
        return f"{name!r} is kept for a course's grading account. Choose another username."
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return None
    if account.pw_uid < first_uid:
        return f"{name!r} is an account of the system itself. Choose another username."
    if name in allowed or account.pw_gecos.startswith(hub_comment):
        return None
    return f"{name!r} is already an account on this server. Choose another username."


class QikitSignUpHandler(SignUpHandler):
    """NativeAuthenticator's sign-up page, which first refuses reserved names with the reason."""

    async def post(self):
        name = self.authenticator.normalize_username(self.get_body_argument("username", "", strip=False))
        reason = self.authenticator.reserved_reason(name)
        if reason is None:
            return await super().post()
        self.log.warning("Sign-up refused for %r: %s", name, reason)
        html = await self.render_template(
            "signup.html", ask_email=self.authenticator.ask_email_on_signup, result_message=reason,
            alert="alert-danger", two_factor_auth=self.authenticator.allow_2fa,
            two_factor_auth_user=False, two_factor_auth_value="",
            recaptcha_key=self.authenticator.recaptcha_key, tos=self.authenticator.tos)
        self.finish(html)


class QikitAuthenticator(NativeAuthenticator):
    """NativeAuthenticator whose administrators are created by the hub, with reserved usernames."""

    first_password_dir = Unicode(
        "", config=True,
        help="Folder (root only) where the first password of each new administrator is written.")
    hub_account_comment = Unicode(
        "qikit hub", config=True, help="Start of the comment field of the Unix accounts the hub creates.")
    first_uid = Int(1000, config=True, help="Unix accounts below this uid are the system's.")
    listed_users = List(Unicode(), config=True,
                        help="Names root listed at start (administrators, instructors): may match existing accounts.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.create_first_admins()

    # --- names ------------------------------------------------------------------------------------
    def reserved_reason(self, name: str) -> str | None:
        return reserved_reason(name, hub_comment=self.hub_account_comment, first_uid=self.first_uid,
                               allowed=frozenset(self.listed_users) | frozenset(self.admin_users))

    def check_blocked_users(self, username, authentication=None):
        """Refuse reserved names at login too (not through ``blocked_users``: JupyterHub strips a blocked
        user of its groups at every start, which would take the grader account out of its course)."""
        if self.reserved_reason(username) is not None:
            return False
        return super().check_blocked_users(username, authentication)

    def create_user(self, username, password, **kwargs):
        if self.reserved_reason(self.normalize_username(username)) is not None:
            return None
        return super().create_user(username, password, **kwargs)

    def get_handlers(self, app):
        return [(path, QikitSignUpHandler if path == r"/signup" else handler)
                for path, handler in super().get_handlers(app)]

    # --- the first administrators -------------------------------------------------------------------
    def create_first_admins(self) -> None:
        """Create every administrator that has no account yet, approved, with a random first password
        written to ``first_password_dir/first-password-<name>`` (mode 600). Existing accounts are left
        exactly as they are (an administrator who changed their password keeps it)."""
        if not self.first_password_dir:
            return
        folder = Path(self.first_password_dir)
        for name in sorted(self.admin_users):
            name = self.normalize_username(name)
            if self.get_user(name) is not None:
                continue
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,30}", name):
                raise ValueError(f"administrator name {name!r} is not a valid username")
            password = secrets.token_urlsafe(15)
            info = UserInfo(username=name, password=bcrypt.hashpw(password.encode(), bcrypt.gensalt()),
                            is_authorized=True)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"first-password-{name}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
            os.chmod(path, 0o600)
            self.db.add(info)
            self.db.commit()
            self.log.warning("Administrator %r created. Their first password is in %s (root only): log in, "
                             "then change it at /hub/change-password.", name, path)

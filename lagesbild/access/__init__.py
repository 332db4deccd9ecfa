"""Who may see and do what: sign-in, roles per organisation, and the checks (docs/security.md).

rules: roles, rights and every check · config: data/access/roles.toml · identity: claims → User ·
users: the users table · mode: sign-in on or open mode · ui: the Streamlit glue ·
imports / downloads: the guarded import and download.
"""
from lagesbild.access.rules import AccessDenied, Right, Role, User, require

__all__ = ["AccessDenied", "Right", "Role", "User", "require"]

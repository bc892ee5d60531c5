from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.roles import ADMIN_SITE_ROLES, Role


@transaction.atomic
def assign_role(*, user: User, role: Role | None) -> User:
    """Give ``user`` exactly one role (or none): its group, and admin-site
    access if the role has it. Clearing the role removes both."""
    user.role = role.value if role else ""
    user.is_staff = user.is_superuser or role in ADMIN_SITE_ROLES
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=role.value)] if role else [])
    return user


@transaction.atomic
def create_staff(*, username: str, password: str, role: Role, region=None, provider=None,
                 first_name: str = "", last_name: str = "", email: str = "") -> User:
    """Create a member of staff with a role and a jurisdiction."""
    user = User(username=username, region=region, provider=provider, first_name=first_name,
                last_name=last_name, email=email)
    user.set_password(password)
    return assign_role(user=user, role=role)

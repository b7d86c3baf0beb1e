"""django-import-export resources for pillar 4 and village facilities, scoped like pillar 1's."""

from __future__ import annotations

from cooperatives.models import Cooperative, Facility, Membership
from desmigratif.resources import BOOKKEEPING, ScopedResource


class CooperativeResource(ScopedResource):
    class Meta:
        model = Cooperative
        exclude = BOOKKEEPING


class MembershipResource(ScopedResource):
    class Meta:
        model = Membership
        exclude = BOOKKEEPING


class FacilityResource(ScopedResource):
    class Meta:
        model = Facility
        exclude = BOOKKEEPING

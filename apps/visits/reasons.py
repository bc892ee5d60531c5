"""The reason codes of a rejected visit and the flags of an accepted one,
like the rejection codes of a claim: stable strings providers' systems
match on, with a label in the user's language. One table, read by every
intake channel, the API schema and the screens."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    # The row itself.
    INVALID = "invalid", _("A field is missing or malformed")
    DUPLICATE_IN_BATCH = "duplicate_in_batch", _("The same visit id twice in one batch")
    CORRECTION_REASON_REQUIRED = "correction_reason_required", _(
        "A change to an accepted visit needs a reason for the correction")
    FUTURE_DATE = "future_date", _("The visit is in the future")
    CHECKOUT_BEFORE_CHECKIN = "checkout_before_checkin", _("Check-out is not after check-in")
    BELOW_MIN_DURATION = "below_min_duration", _("Shorter than the item's minimum duration")
    MANUAL_REASON_REQUIRED = "manual_reason_required", _(
        "A manual check-in or check-out needs a reason")
    CARD_NOT_ISSUED = "card_not_issued", _(
        "Citizen-card swipe is only for local-hukou elders (Art 16)")
    UNITS_EXCEED_DURATION = "units_exceed_duration", _(
        "More units than the visit's duration allows")
    # Who and what.
    ELDER_UNKNOWN = "elder_unknown", _("No such elder in the provider's agreements")
    ITEM_UNKNOWN = "item_unknown", _("No such service item")
    CAREGIVER_UNKNOWN = "caregiver_unknown", _("Not an active staff member of the provider")
    # The elder on the service date.
    ELDER_NOT_APPROVED = "elder_not_approved", _("The elder has no approved entitlement then")
    ELDER_TERMINATED = "elder_terminated", _("The elder's entitlement had ended")
    ELDER_MOVED = "elder_moved", _("The elder had moved away")
    ELDER_DECEASED = "elder_deceased", _("The elder had died")
    # The agreement and the provider on the service date.
    NO_AGREEMENT = "no_agreement", _("No service agreement in force with the elder")
    ITEM_NOT_IN_AGREEMENT = "item_not_in_agreement", _("The item is not in the agreement")
    PROVIDER_NO_CONTRACT = "provider_no_contract", _(
        "The provider has no contract in force for the elder's area")
    PROVIDER_BARRED = "provider_barred", _("The provider is barred")
    # Against other visits.
    CAREGIVER_OVERLAP = "caregiver_overlap", _("The caregiver was at another visit then")
    ELDER_OVERLAP = "elder_overlap", _("The elder had another visit then")


class Flag(models.TextChoices):
    """Accepted, but worth a look: the monthly audit reads these."""

    FAR_FROM_ADDRESS = "far_from_address", _("Far from the registered address")
    EXCEEDS_PLAN = "exceeds_plan", _("More visits this month than the plan's frequency")
    MANUAL_FOR_LOCAL = "manual_for_local", _(
        "Manual entry for a local-hukou elder, who has a citizen card")

"""The household form with its members' formset, as the browser posts it."""

from tests.factories import VILLAGE_A


def management(total, initial=0):
    """The management form of the members' formset: ``total`` forms, ``initial`` of them existing."""
    return {
        "members-TOTAL_FORMS": str(total),
        "members-INITIAL_FORMS": str(initial),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }


def member(index, **values):
    """The fields of member form ``index``: a male child with nothing else filled, but ``values``."""
    base = {
        "nik": "",
        "name": "",
        "sex": "M",
        "birth_place": "",
        "birth_date": "",
        "relationship": "child",
        "religion": "",
        "education": "",
        "occupation": "",
        "marital_status": "",
    }
    base.update(values)
    return {f"members-{index}-{key}": value for key, value in base.items()}


def household_post(**overrides):
    """The household form of a new household of village A, with ``overrides``."""
    data = {
        "village__province": "32",
        "village__regency": "32.12",
        "village__district": "32.12.16",
        "village__village": VILLAGE_A,
        "kk_number": "3212161503180007",
        "dusun": "Blok A",
        "rt": "1",
        "rw": "2",
        "address": "",
        "phone": "+852 9123 4567",
        "version": "",
    }
    data.update(overrides)
    return data

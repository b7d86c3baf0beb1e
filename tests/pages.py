"""The portal's forms as the browser posts them."""


def picked(code):
    """The region picker's fields for a village code."""
    parts = code.split(".")
    return {
        f"village__{key}": ".".join(parts[: n + 1])
        for n, key in enumerate(["province", "regency", "district", "village"])
    }

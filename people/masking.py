"""Masking of personal data. Lists, pages, exports and the API show these by default."""


def mask_mobile(mobile: str | None) -> str:
    """138****5678: keep the carrier prefix and the last four digits."""
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    """110101********1234: keep the region code and the last four characters."""
    if not id_number:
        return ""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


def mask_name(name: str | None) -> str:
    """张*明: keep the first and the last character (for public pages)."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"

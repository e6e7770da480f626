from wagtail import hooks


@hooks.register("construct_reports_menu")
def hide_site_history_from_scoped_staff(request, menu_items):
    """Wagtail's site history lists log entries of every object type the user may view,
    regardless of jurisdiction; scoped staff use the HR audit viewer instead."""
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]

from .dashboard import collect_nav_links


def navigation(request):
    return {"nav_links": collect_nav_links(request)}

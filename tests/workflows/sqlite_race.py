"""Race eight transitions of one item on a file-based SQLite database (the embedded default).

Run as a separate process (``python -m tests.workflows.sqlite_race PATH``) with
``DJANGO_SETTINGS_MODULE=config.settings`` and ``DATABASE_URL=sqlite:///PATH``: the settings the
embedded default runs with, on a real file, where every thread has its own connection. (The
test database is in memory, shared between threads through SQLite's shared cache, which locks
tables instead of waiting and so cannot show how the embedded default behaves.) Prints the
status codes as JSON.
"""

import json
import sys
import threading


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from rest_framework.test import APIClient

    from organization.demo import seed_organization
    from tests.lists.lists_builders import item_in_state
    from tests.personas import Personas

    call_command("migrate", verbosity=0)
    seed_organization()
    personas = Personas()
    item = item_in_state(personas, "submitted")
    leader, secretary = personas.leader, personas.secretary
    connections.close_all()

    url = f"/api/v1/items/{item.pk}/transitions/"
    requests = [(leader, "verify", {}), (secretary, "return", {"reason": "照片缺失"})] * 4
    barrier, statuses, lock = threading.Barrier(len(requests)), [], threading.Lock()

    def post(user, name, body):
        try:
            client = APIClient(raise_request_exception=False)
            client.force_authenticate(user=user)
            barrier.wait(timeout=30)
            response = client.post(url + name + "/", body, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    from lists.models import ResponsibilityItem
    from workflows.models import TransitionLog

    item = ResponsibilityItem.objects.get(pk=item.pk)
    logged = TransitionLog.objects.for_object(item).filter(transition__in=["verify", "return"]).count()
    journal_mode = connections["default"].cursor().execute("PRAGMA journal_mode").fetchone()[0]
    print(json.dumps({"statuses": sorted(statuses), "state": item.state, "logged": logged, "journal": journal_mode}))


if __name__ == "__main__":
    sys.exit(main())

"""Running one function from several threads at once, for tests on real PostgreSQL."""

import threading

from django.db import connection


def run_at_once(fn, times: int) -> list:
    """Call fn() from `times` threads released together by a barrier; return results or exceptions."""
    barrier = threading.Barrier(times)
    results: list = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        try:
            outcome = fn()
        except Exception as exc:  # returned to the test, which decides whether it is expected
            outcome = exc
        finally:
            connection.close()  # each thread has its own connection
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

"""What the Python integration tests share: stopping the processes they started, and
keeping their logs only when something failed."""
import shutil
import subprocess
import sys


def stop(procs, timeout=60):
    """SIGTERM every process of procs (name -> Popen), then waits up to timeout seconds
    each and SIGKILLs what is left. Returns name -> exit code."""
    for p in procs.values():
        if p.poll() is None:
            p.terminate()
    codes = {}
    for name, p in procs.items():
        try:
            codes[name] = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            codes[name] = p.wait()
    return codes


def clean_up(test, tmp, passed):
    """Removes tmp after a pass; otherwise says where the logs are."""
    if passed:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"{test}: logs kept in {tmp}", file=sys.stderr)

"""The part the fork servers of ``tests/warm_cli.py`` and ``tests/hostile/forked.py`` share: run
a command in a forked child as the interpreter runs a program.

Both servers are Python source run with ``python -c``; they start with :data:`RUN_AS_MAIN`,
which defines ``run_as_main(command)``.
"""

RUN_AS_MAIN = r'''
def run_as_main(command):
    """Call ``command()`` as the interpreter runs a program and return its exit status:
    ``SystemExit`` becomes the status, an uncaught exception prints its traceback (status 1),
    then the atexit handlers run and stdout and stderr are flushed."""
    import atexit, random, sys, traceback
    random.seed()  # as a new interpreter would be: not the state every child shares
    try:
        command()
        code = 0
    except SystemExit as exc:  # as the interpreter turns SystemExit into a status
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return code
'''

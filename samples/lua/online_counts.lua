-- Module-level state: nginx loads a module once per worker process, so each
-- worker has its own copy of this table.
return { here = 0 }
